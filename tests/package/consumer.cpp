// A program as a team adopting ivschat would write it, built against the
// installed package (scripts/package-check.sh): it creates a room and a chat
// token on the endpoint of AWS_ENDPOINT_URL_IVSCHAT, checks the library's
// version and error category, and uses Asio and Beast in this translation
// unit with its own configuration. Built once with Asio's deprecated API in
// use and once with BOOST_ASIO_NO_DEPRECATED: neither may conflict with the
// library's internal Asio.
#include <ivschat/client.hpp>
#include <ivschat/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <iostream>
#include <sstream>
#include <string>

namespace asio = boost::asio;
namespace http = boost::beast::http;

static_assert(IVSCHAT_VERSION_MAJOR == 0, "the consumer is written against 0.x");

namespace {

asio::awaitable<void> create_room_and_token(ivschat::client& chat) {
    const ivschat::create_room_request room_request{.name = "package-check"};
    const auto room = co_await chat.create_room(room_request);
    const ivschat::create_chat_token_request token_request{
        .room_identifier = room.arn.value(),
        .user_id = "package-check-user",
        .capabilities = {ivschat::chat_token_capability::send_message},
    };
    const auto token = co_await chat.create_chat_token(token_request);
    if (token.token.value_or("").empty()) throw std::runtime_error("the chat token is empty");
    std::cout << "room " << room.arn.value() << "\nchat token issued (" << token.token->size() << " bytes)\n";

    // A service error crosses the library boundary as the library's category.
    ivschat::diagnostics diag;
    const ivschat::get_room_request missing{.identifier = room.arn.value() + "-missing"};
    auto [ec, ignored] = co_await chat.get_room(missing, diag, asio::as_tuple(asio::use_awaitable));
    if (ec != ivschat::error::resource_not_found) throw std::runtime_error("expected ResourceNotFound, got " + ec.message());
    std::cout << "missing room: " << diag.error.error_type << "\n";
}

// Beast in this translation unit: a request serialized by its operator<<.
std::string beast_request_line() {
    http::request<http::string_body> request{http::verb::get, "/", 11};
    std::ostringstream out;
    out << request;
    return out.str().substr(0, out.str().find('\r'));
}

}  // namespace

int main() {
    std::cout << "ivschat " << IVSCHAT_VERSION_STRING << ", Beast says \"" << beast_request_line() << "\"\n";
    asio::io_context ioc;
    bool posted = false;
#if defined(BOOST_ASIO_NO_DEPRECATED)
    asio::post(ioc, [&] { posted = true; });
#else
    // io_context::post is deprecated Asio API, gone under BOOST_ASIO_NO_DEPRECATED.
    ioc.post([&] { posted = true; });
#endif
    try {
        ivschat::client chat{ioc.get_executor()};
        asio::co_spawn(ioc, create_room_and_token(chat), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        ioc.run();
    } catch (const ivschat::error_with_diagnostics& e) {
        std::cerr << "consumer: " << e.diagnostics().error.error_type << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "consumer: " << e.what() << "\n";
        return 1;
    }
    if (!posted) {
        std::cerr << "consumer: the posted handler did not run\n";
        return 1;
    }
    std::cout << "consumer: ok\n";
}
