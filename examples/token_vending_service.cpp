// A token-vending service, the shape of our users' backends: an HTTP
// endpoint that, per request, co_awaits create_chat_token and returns the
// token. One ivschat::client is shared by every connection.
//
//   token_vending_service PORT ROOM_ARN
//   curl 'http://127.0.0.1:PORT/token?user=user-42'
//
// Configuration (region, endpoint, credentials) comes from the environment.
#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// The value of `name` in the query of `target` ("/token?user=u1"), or "".
std::string query_value(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto param = query.substr(0, amp);
        if (param.substr(0, param.find('=')) == name && param.find('=') != std::string_view::npos)
            return std::string(param.substr(param.find('=') + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

asio::awaitable<void> serve(tcp::socket socket, ivschat::client& chat, const std::string& room_arn) {
    boost::beast::tcp_stream stream(std::move(socket));
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_error, ignored] = co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
        if (read_error) co_return;

        http::response<http::string_body> response{http::status::ok, request.version()};
        response.set(http::field::content_type, "application/json");
        const std::string user = query_value(request.target(), "user");
        if (user.empty()) {
            response.result(http::status::bad_request);
            response.body() = R"({"message":"user is required"})";
        } else {
            const ivschat::create_chat_token_request token_request{
                .room_identifier = room_arn,
                .user_id = user,
                .capabilities = {ivschat::chat_token_capability::send_message},
            };
            ivschat::diagnostics diag;
            auto [ec, token] = co_await chat.create_chat_token(token_request, diag, asio::as_tuple(asio::use_awaitable));
            if (ec) {
                response.result(http::status::bad_gateway);
                response.body() = R"({"message":"chat token unavailable"})";
                std::cerr << "create_chat_token: " << (diag.error.error_type.empty() ? ec.message() : diag.error.error_type)
                          << " request id " << diag.request_id << "\n";
            } else {
                response.body() = R"({"token":")" + token.token.value_or("") + R"("})";
            }
        }
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        auto [write_error, written] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        if (write_error || !response.keep_alive()) co_return;
    }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, ivschat::client& chat, const std::string& room_arn) {
    for (;;) {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), chat, room_arn), asio::detached);
    }
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: token_vending_service PORT ROOM_ARN\n";
        return 2;
    }
    try {
        asio::io_context ioc;
        ivschat::client chat{ioc.get_executor()};
        tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(argv[1]))});
        const std::string room_arn = argv[2];
        asio::co_spawn(ioc, listen(acceptor, chat, room_arn), asio::detached);
        std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << "\n" << std::flush;
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "token_vending_service: " << e.what() << "\n";
        return 1;
    }
}
