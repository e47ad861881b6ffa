// examples/token_vending_service as a program against the in-process
// emulator: it answers tokens, refuses bad requests, and sheds load with 503
// and Retry-After when its CreateChatToken quota cannot serve a request in time.
#include "support/child_process.hpp"
#include "support/emulator_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string program() {
    return (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" /
            "token_vending_service")
        .string();
}

http::response<http::string_body> fetch(std::uint16_t port, http::verb method, const std::string& target) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
}

// `count` requests for tokens at once, each on its own connection.
std::vector<http::response<http::string_body>> fetch_tokens_at_once(std::uint16_t port, int count) {
    std::vector<std::future<http::response<http::string_body>>> answers;
    for (int i = 0; i < count; ++i)
        answers.push_back(std::async(std::launch::async, [port, i] {
            return fetch(port, http::verb::get, "/token?user=u" + std::to_string(i));
        }));
    std::vector<http::response<http::string_body>> responses;
    for (auto& answer : answers) responses.push_back(answer.get());
    return responses;
}

// The emulator on its own thread, a room in it, and the service pointed at it.
struct service_under_test {
    ivschat::test::emulator_fixture emulator;
    std::string room_arn;
    std::thread emulator_thread;
    std::optional<ivschat::test::child_process> service;
    std::uint16_t port = 0;

    explicit service_under_test(std::vector<std::string> extra) {
        const auto options = emulator.options();
        auto work = asio::make_work_guard(emulator.ioc);
        emulator_thread = std::thread([this] { emulator.ioc.run(); });
        room_arn = asio::co_spawn(
                       emulator.ioc,
                       [&]() -> asio::awaitable<std::string> {
                           ivschat::client chat{emulator.ioc.get_executor(), options};
                           const ivschat::create_room_request request{};
                           auto room = co_await chat.create_room(request);
                           co_return *room.arn;
                       },
                       asio::use_future)
                       .get();
        work.reset();
        ::setenv("AWS_ENDPOINT_URL_IVSCHAT", options.endpoint_url->c_str(), 1);
        ::setenv("AWS_CA_BUNDLE", options.ca_bundle->c_str(), 1);
        ::setenv("AWS_REGION", "us-west-2", 1);
        ::setenv("AWS_ACCESS_KEY_ID", options.credentials->access_key_id.c_str(), 1);
        ::setenv("AWS_SECRET_ACCESS_KEY", options.credentials->secret_access_key.c_str(), 1);
        std::vector<std::string> args{program(), "0", room_arn};
        args.insert(args.end(), extra.begin(), extra.end());
        service.emplace(std::move(args));
        const std::string line = service->line();
        REQUIRE(line.starts_with("listening on http://127.0.0.1:"));
        port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    }
    ~service_under_test() {
        service.reset();
        asio::post(emulator.ioc, [this] { emulator.server.stop(); });
        emulator_thread.join();
    }
};

}  // namespace

TEST_CASE("token vending service: tokens, and bad requests refused", "[example][emulator]") {
    service_under_test s({"--threads", "2"});
    auto ok = fetch(s.port, http::verb::get, "/token?user=user%2D42");
    CHECK(ok.result() == http::status::ok);
    CHECK(boost::json::parse(ok.body()).at("token").as_string().size() > 20);
    CHECK(fetch(s.port, http::verb::get, "/token").result() == http::status::bad_request);
    CHECK(fetch(s.port, http::verb::get, "/token?user=").result() == http::status::bad_request);
    CHECK(fetch(s.port, http::verb::get, "/token?user=" + std::string(129, 'u')).result() == http::status::bad_request);
    CHECK(fetch(s.port, http::verb::get, "/token?user=%zz").result() == http::status::bad_request);
    CHECK(fetch(s.port, http::verb::get, "/tokens?user=u").result() == http::status::not_found);
    CHECK(fetch(s.port, http::verb::post, "/token?user=u").result() == http::status::method_not_allowed);
}

TEST_CASE("token vending service: one client shared by every thread", "[example][emulator]") {
    service_under_test s({"--threads", "2", "--client", "shared"});
    for (const auto& response : fetch_tokens_at_once(s.port, 8)) {
        CHECK(response.result() == http::status::ok);
        CHECK(boost::json::parse(response.body()).at("token").as_string().size() > 20);
    }
    CHECK(fetch(s.port, http::verb::get, "/token").result() == http::status::bad_request);
}

TEST_CASE("token vending service: beyond its quota it answers 503 with Retry-After", "[example][emulator]") {
    // 2 tokens a second and a 1 s deadline: of 8 requests at once, the
    // first few get tokens and the rest are told to come back.
    service_under_test s({"--threads", "1", "--quota", "2"});
    int tokens = 0;
    int shed = 0;
    for (const auto& response : fetch_tokens_at_once(s.port, 8)) {
        if (response.result() == http::status::ok) {
            ++tokens;
        } else {
            REQUIRE(response.result() == http::status::service_unavailable);
            CHECK(std::stoi(std::string(response[http::field::retry_after])) >= 1);
            ++shed;
        }
    }
    CHECK(tokens >= 2);
    CHECK(tokens <= 3);
    CHECK(shed == 8 - tokens);
}
