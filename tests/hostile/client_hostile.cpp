// The client library against hostile and broken servers (tests/support/
// hostile_server.hpp): real sockets on 127.0.0.1, real TLS. Each case checks
// the exact outcome (error code, message, attempts), a bound on time and a
// bound on the growth of the process's peak RSS.
#include "ivschat/http/tls_engine.hpp"
#include "support/hostile_server.hpp"
#include <ivschat/retry.hpp>
#include "support/resource_bounds.hpp"

#include <ivschat/chat_room.hpp>
#include <ivschat/client.hpp>
#include <ivschat/paginator.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <string>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::transport_errc;
using ivschat::test::answer_each;
using ivschat::test::answer_endlessly;
using ivschat::test::answer_once_and_close;
using ivschat::test::hostile_server;
using ivschat::test::hostile_server_options;
using ivschat::test::hostile_session;
using ivschat::test::measure;
using ivschat::test::resource_use;
using namespace std::chrono_literals;

// Generous: a 2-core CI machine running other builds.
constexpr auto time_bound = 20s;
constexpr long rss_bound_kib = 64 * 1024 * ivschat::test::sanitizer_memory_factor;

const std::string room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234";

ivschat::client_options options_for(const hostile_server& server, int max_attempts = 1) {
    ivschat::client_options o;
    o.region = "us-west-2";
    o.endpoint_url = server.url();
    o.credentials.emplace();
    o.credentials->access_key_id = "AKIDEXAMPLE";
    o.credentials->secret_access_key = "secret";
    o.environment = ivschat::environment::from_map({});
    o.pool.ca_pem = server.ca_pem();
    o.retry_strategy =
        ivschat::make_retry_strategy({.max_attempts = max_attempts, .base_delay = 1ms, .throttling_base_delay = 1ms});
    return o;
}

std::string http_response(std::string_view status_line, std::string_view body,
                          std::string_view extra_headers = "Content-Type: application/json\r\n") {
    return "HTTP/1.1 " + std::string(status_line) + "\r\n" + std::string(extra_headers) +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

struct outcome {
    boost::system::error_code ec;
    ivschat::diagnostics diag;
    resource_use cost;
};

// One GetRoom through a fresh client, measured.
outcome get_room(const ivschat::client_options& options) {
    outcome result;
    result.cost = measure([&] {
        asio::io_context ioc;
        ivschat::client chat(ioc.get_executor(), options);
        const ivschat::get_room_request request{.identifier = room_arn};
        auto done = asio::co_spawn(
            ioc,
            [&]() -> awaitable<void> {
                auto [ec, room] = co_await chat.get_room(request, result.diag, asio::as_tuple(asio::use_awaitable));
                result.ec = ec;
            },
            asio::use_future);
        ioc.run();
        done.get();
    });
    UNSCOPED_INFO("error " << result.ec.message() << "; client message: " << result.diag.client_message
                           << "; service message: " << result.diag.error.message << "; took "
                           << result.cost.elapsed.count() << " ms, peak RSS +" << result.cost.peak_rss_growth_kib
                           << " KiB");
    return result;
}

void check_bounded(const resource_use& cost) {
    CHECK(cost.elapsed < time_bound);
    CHECK(cost.peak_rss_growth_kib < rss_bound_kib);
}

// A failure on our side of the wire: the code, the sentence, the attempts.
void check_transport_failure(const outcome& o, const boost::system::error_code& expected, std::string_view message,
                             std::size_t attempts) {
    CHECK(o.ec == expected);
    CHECK(o.diag.client_message == message);
    CHECK(o.diag.attempts.size() == attempts);
    check_bounded(o.cost);
}

// A list_rooms_response page with `rooms` rooms of `tags` tags whose values
// are 256 three-byte characters, all valid by the model.
std::string big_list_rooms_page(int rooms, int tags) {
    std::string value;
    for (int i = 0; i < 256; ++i) value += "\u20ac";
    std::string body = R"({"rooms":[)";
    for (int r = 0; r < rooms; ++r) {
        char id[13];
        std::snprintf(id, sizeof id, "room%08d", r);
        if (r > 0) body += ',';
        body += R"({"arn":"arn:aws:ivschat:us-west-2:123456789012:room/)" + std::string(id) + R"(","id":")" + id +
                R"(","name":"r)" + std::to_string(r) +
                R"(","createTime":"2026-12-06T00:00:00Z","updateTime":"2026-12-06T00:00:00Z","tags":{)";
        for (int t = 0; t < tags; ++t) {
            std::string key = "key-" + std::to_string(t);
            key.resize(128, 'k');
            body += (t > 0 ? ",\"" : "\"") + key + "\":\"" + value + "\"";
        }
        body += R"(},"loggingConfigurationIdentifiers":[]})";
    }
    return body + "]}";
}

}  // namespace

TEST_CASE("hostile: a repeated nextToken ends the walk with a clear error", "[hostile][client]") {
    hostile_server server(answer_each(http_response("200 OK", R"({"rooms":[],"nextToken":"same"})")));
    const auto cost = measure([&] {
        asio::io_context ioc;
        ivschat::client chat(ioc.get_executor(), options_for(server));
        ivschat::paginator<ivschat::list_rooms_request> pages{chat, {.max_results = 50}};
        auto done = asio::co_spawn(
            ioc,
            [&]() -> awaitable<void> {
                const auto first = co_await pages.next_page();
                CHECK(first.next_token == "same");
                CHECK_FALSE(pages.done());
                try {
                    co_await pages.next_page();
                    FAIL("a repeated token was followed");
                } catch (const ivschat::error_with_diagnostics& e) {
                    CHECK(e.code() == ivschat::error::malformed_response);
                    CHECK(e.diagnostics().client_message == "the same next token was received twice");
                    CHECK(std::string_view(e.what()).starts_with("the same next token was received twice"));
                }
                CHECK(pages.done());
            },
            asio::use_future);
        ioc.run();
        done.get();
    });
    CHECK(server.requests_read() == 2);
    check_bounded(cost);
}

TEST_CASE("hostile: endless new nextTokens are bounded by the caller", "[hostile][client]") {
    std::atomic<int> issued{0};
    hostile_server server([&](hostile_session& s) -> awaitable<void> {
        for (;;) {
            const bool got = co_await s.read_request();
            if (!got) co_return;
            const std::string page =
                http_response("200 OK", R"({"rooms":[],"nextToken":"token-)" + std::to_string(++issued) + "\"}");
            const bool sent = co_await s.send(page);
            if (!sent) co_return;
        }
    });
    constexpr int pages_wanted = 300;
    int fetched = 0;
    const auto cost = measure([&] {
        asio::io_context ioc;
        ivschat::client chat(ioc.get_executor(), options_for(server));
        ivschat::paginator<ivschat::list_rooms_request> pages{chat, {}};
        auto done = asio::co_spawn(
            ioc,
            [&]() -> awaitable<void> {
                while (!pages.done() && fetched < pages_wanted) {
                    co_await pages.next_page();
                    ++fetched;
                }
                CHECK_FALSE(pages.done());
            },
            asio::use_future);
        ioc.run();
        done.get();
    });
    CHECK(fetched == pages_wanted);
    CHECK(server.requests_read() == pages_wanted);
    check_bounded(cost);
}

TEST_CASE("hostile: a valid 2.26 MB ListRooms page is accepted under the default limit", "[hostile][client]") {
    const std::string page = big_list_rooms_page(50, 50);
    CHECK(page.size() > 2'260'000);
    hostile_server server(answer_each(http_response("200 OK", page)));
    ivschat::list_rooms_response rooms;
    const auto cost = measure([&] {
        asio::io_context ioc;
        ivschat::client chat(ioc.get_executor(), options_for(server));
        const ivschat::list_rooms_request request{.max_results = 50};
        auto done = asio::co_spawn(
            ioc, [&]() -> awaitable<void> { rooms = co_await chat.list_rooms(request); }, asio::use_future);
        ioc.run();
        done.get();
    });
    REQUIRE(rooms.rooms.size() == 50);
    CHECK(rooms.rooms[49].tags.size() == 50);
    CHECK(cost.elapsed < time_bound);

    SECTION("and refused past a limit the caller sets lower") {
        auto options = options_for(server);
        options.pool.max_response_body = 1024 * 1024;
        const auto o = get_room(options);
        check_transport_failure(o, transport_errc::response_too_large, "the response exceeds the configured size limit",
                                1);
    }
}

TEST_CASE("hostile: error responses that are not JSON say the status, the reason and an excerpt", "[hostile][client]") {
    struct answer {
        std::string wire;
        std::string type;
        std::string message;
    };
    hostile_server elsewhere(answer_each(http_response("200 OK", "{}")));
    const answer answers[] = {
        {http_response("502 Bad Gateway", "<html>\r\n<body><h1>502 Bad Gateway</h1></body>\r\n</html>\r\n",
                       "Content-Type: text/html\r\n"),
         "502", "HTTP 502 Bad Gateway; body: <html> <body><h1>502 Bad Gateway</h1></body> </html>"},
        {http_response("500 Internal Server Error", "<html>oops</html>", "Content-Type: text/html\r\n"), "500",
         "HTTP 500 Internal Server Error; body: <html>oops</html>"},
        {http_response("403 Forbidden", "<Error><Code>AccessDenied</Code></Error>", "Content-Type: application/xml\r\n"),
         "403", "HTTP 403 Forbidden; body: <Error><Code>AccessDenied</Code></Error>"},
        {http_response("301 Moved Permanently", "", "Location: " + elsewhere.url() + "/GetRoom\r\n"), "301",
         "HTTP 301 Moved Permanently (empty body)"},
        {http_response("999 Whatever", ""), "999", "HTTP 999 Whatever (empty body)"},
    };
    for (const auto& a : answers) {
        hostile_server server(answer_each(a.wire));
        const auto o = get_room(options_for(server));
        CHECK(o.ec == ivschat::error::unknown_service_error);
        CHECK(o.diag.error.error_type == a.type);
        CHECK(o.diag.error.message == a.message);
        CHECK(o.diag.attempts.size() == 1);
        check_bounded(o.cost);
    }
    // The redirect was not followed.
    CHECK(elsewhere.connections_accepted() == 0);
}

TEST_CASE("hostile: control characters from the server are escaped in messages", "[hostile][client]") {
    hostile_server server(answer_each(http_response(
        "400 Bad Request", R"({"message":"\u001b[2J\r\nForged: yes \u009b31m"})",
        "Content-Type: application/json\r\nx-amzn-ErrorType: ValidationException\r\n")));
    const auto o = get_room(options_for(server));
    CHECK(o.ec == ivschat::error::validation_exception);
    CHECK(o.diag.error.message == "\\u001b[2J\\r\\nForged: yes \\u009b31m");
    check_bounded(o.cost);
}

TEST_CASE("hostile: interim 1xx responses are skipped, at most ten; 101 is an error", "[hostile][client]") {
    const std::string room = R"({"arn":")" + room_arn + R"("})";
    SECTION("100 Continue and 103 Early Hints before the answer") {
        hostile_server server(answer_each("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" +
                                          http_response("200 OK", room)));
        const auto o = get_room(options_for(server));
        CHECK_FALSE(o.ec);
        check_bounded(o.cost);
    }
    SECTION("endless interim responses") {
        hostile_server server(answer_endlessly("HTTP/1.1 102 Processing\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n"));
        check_transport_failure(get_room(options_for(server, 2)), transport_errc::malformed_response,
                                "the response is not valid HTTP/1.1", 2);
    }
    SECTION("101 Switching Protocols") {
        hostile_server server(answer_once_and_close("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"));
        check_transport_failure(get_room(options_for(server, 2)), transport_errc::malformed_response,
                                "the response is not valid HTTP/1.1", 2);
    }
}

TEST_CASE("hostile: bytes that are not HTTP are a broken connection, retried", "[hostile][client]") {
    using namespace std::string_literals;
    hostile_server server(answer_once_and_close("\x16\x03\x01\x02\x00garbage\r\n\r\n"s));
    check_transport_failure(get_room(options_for(server, 3)), transport_errc::malformed_response,
                            "the response is not valid HTTP/1.1", 3);
    CHECK(server.requests_read() == 3);
}

TEST_CASE("hostile: framing the client does not decode is refused", "[hostile][client]") {
    const std::string chunked_body = "\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    SECTION("Transfer-Encoding: gzip, chunked") {
        hostile_server server(answer_once_and_close("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked" + chunked_body));
        check_transport_failure(get_room(options_for(server)), transport_errc::malformed_response,
                                "the response is not valid HTTP/1.1", 1);
    }
    SECTION("Transfer-Encoding and Content-Length together") {
        hostile_server server(
            answer_once_and_close("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked" + chunked_body));
        check_transport_failure(get_room(options_for(server)), transport_errc::malformed_response,
                                "the response is not valid HTTP/1.1", 1);
    }
}

TEST_CASE("hostile: oversized, endless, slow and deep responses are bounded", "[hostile][client]") {
    SECTION("a 100 MB Content-Length") {
        hostile_server server(
            answer_endlessly("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n", std::string(16384, 'x')));
        check_transport_failure(get_room(options_for(server)), transport_errc::response_too_large,
                                "the response exceeds the configured size limit", 1);
    }
    SECTION("an endless chunked body") {
        hostile_server server(answer_endlessly("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                               "4000\r\n" + std::string(16384, 'x') + "\r\n"));
        check_transport_failure(get_room(options_for(server)), transport_errc::response_too_large,
                                "the response exceeds the configured size limit", 1);
    }
    SECTION("an endless header") {
        hostile_server server(answer_endlessly("HTTP/1.1 200 OK\r\nX-Endless: ", std::string(4096, 'h')));
        check_transport_failure(get_room(options_for(server)), transport_errc::response_too_large,
                                "the response exceeds the configured size limit", 1);
    }
    SECTION("slowloris: a byte every 50 ms") {
        hostile_server server(answer_endlessly("HTTP/1.1 200 OK\r\nX-Slow: ", "s", 50ms));
        auto options = options_for(server);
        options.pool.exchange_timeout = 1s;
        check_transport_failure(get_room(options), transport_errc::exchange_timeout, "the HTTP exchange timed out", 1);
    }
    SECTION("JSON nested 100,000 deep") {
        hostile_server server(answer_each(http_response("200 OK", std::string(100000, '['))));
        const auto o = get_room(options_for(server));
        CHECK(o.ec == ivschat::error::malformed_response);
        CHECK(o.diag.client_message.rfind("the response does not match the operation's output: ", 0) == 0);
        check_bounded(o.cost);
    }
}

TEST_CASE("hostile: truncated and reset responses are retried, then reported", "[hostile][client]") {
    SECTION("a body cut short") {
        hostile_server server(answer_once_and_close("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"arn\":"));
        check_transport_failure(get_room(options_for(server, 3)), transport_errc::truncated_response,
                                "the server closed the connection in the middle of a response", 3);
    }
    SECTION("a reset in the status line") {
        hostile_server server([](hostile_session& s) -> awaitable<void> {
            const bool got = co_await s.read_request();
            if (!got) co_return;
            const bool sent = co_await s.send("HTTP/1.1 20");
            if (sent) s.reset();
        });
        const auto o = get_room(options_for(server, 3));
        CHECK(o.ec == asio::error::connection_reset);
        CHECK(o.diag.attempts.size() == 3);
        check_bounded(o.cost);
    }
}

TEST_CASE("hostile: each certificate failure says why", "[hostile][client][tls]") {
    struct certificate_case {
        hostile_server_options server;
        bool trust_server_ca;
        std::string message;
    };
    using ivschat::testing::server_certificate_options;
    const certificate_case cases[] = {
        {{.tls = true, .certificate = server_certificate_options{.dns_names = {"other.test"}, .ip_addresses = {}}}, true,
         "certificate verify failed: the server's certificate does not name the host"},
        {{.tls = true, .certificate = server_certificate_options{.valid_for = -std::chrono::minutes{5}}}, true,
         "certificate verify failed: the server's certificate has expired"},
        {{.tls = true,
          .certificate = server_certificate_options{.valid_from = std::chrono::hours{1}, .valid_for = std::chrono::hours{2}}},
         true, "certificate verify failed: the server's certificate is not yet valid"},
        {{.tls = true}, false, "certificate verify failed: the server's certificate has an unknown issuer"},
        {{.tls = true, .send_ca_in_chain = true}, false,
         "certificate verify failed: the server's certificate is self-signed and not trusted"},
    };
    const ivschat::testing::throwaway_ca stranger;
    for (const auto& c : cases) {
        hostile_server server(answer_each(http_response("200 OK", "{}")), c.server);
        auto options = options_for(server, 3);
        if (!c.trust_server_ca) options.pool.ca_pem = stranger.cert_pem();
        const auto o = get_room(options);
        CHECK(o.ec.category() == ivschat::http::certificate_category());
        CHECK(o.diag.client_message == c.message);
        // A rejected certificate is never retried.
        CHECK(o.diag.attempts.size() == 1);
        CHECK(server.requests_read() == 0);
        check_bounded(o.cost);
    }
}

// The chat room's TLS (messaging::tls_stream) checks certificates as the
// client's connections do. A server that passes answers the upgrade with a
// plain 200, so a connect that got that far fails with upgrade_refused.
TEST_CASE("hostile: a chat room refuses the certificates the client refuses", "[hostile][chat][tls]") {
    using ivschat::testing::server_certificate_options;
    struct certificate_case {
        hostile_server_options server;
        bool trust_server_ca;
        bool verify_peer;
        std::string message;  // empty: the handshake passes
    };
    const certificate_case cases[] = {
        {{.tls = true}, true, true, ""},
        {{.tls = true, .certificate = server_certificate_options{.dns_names = {"other.test"}, .ip_addresses = {}}}, true,
         true, "certificate verify failed: the server's certificate does not name the host"},
        {{.tls = true, .certificate = server_certificate_options{.valid_for = -std::chrono::minutes{5}}}, true, true,
         "certificate verify failed: the server's certificate has expired"},
        {{.tls = true}, false, true, "certificate verify failed: the server's certificate has an unknown issuer"},
        {{.tls = true}, false, false, ""},
    };
    const ivschat::testing::throwaway_ca stranger;
    for (const auto& c : cases) {
        hostile_server server(answer_each(http_response("200 OK", "{}")), c.server);
        ivschat::chat_room_options options;
        options.endpoint = "wss://localhost:" + std::to_string(server.port()) + "/";
        options.tls.ca_pem = c.trust_server_ca ? server.ca_pem() : stranger.cert_pem();
        options.tls.verify_peer = c.verify_peer;
        options.max_reconnect_attempts = 0;
        const auto provider = []() -> asio::awaitable<std::tuple<boost::system::error_code, ivschat::chat_token>> {
            co_return std::tuple{boost::system::error_code{}, ivschat::chat_token{.token = "t"}};
        };
        asio::io_context ioc;
        ivschat::chat_room room(ioc.get_executor(), options, provider);
        boost::system::error_code ec;
        room.async_connect([&](boost::system::error_code e) { ec = e; });
        ioc.run_for(time_bound);
        INFO(c.message);
        CHECK(ioc.stopped());  // out of work, not out of time
        if (c.message.empty()) {
            CHECK(ec == ivschat::chat_errc::upgrade_refused);
        } else {
            CHECK(ec.category() == ivschat::http::certificate_category());
            CHECK(ec.message() == c.message);
            CHECK(server.requests_read() == 0);
        }
    }
}

// x-amz-retry-after reaches the retry strategy: with the jitter pinned to 0
// the computed backoff is 0, so the whole delay is the server's 300 ms
// (diagnostics::backoff_time is the decided delay, not a measured time).
TEST_CASE("hostile: x-amz-retry-after sets the backoff of the retry", "[hostile][client][retry-after]") {
    hostile_server server([](hostile_session& s) -> awaitable<void> {
        bool got = co_await s.read_request();
        if (!got) co_return;
        const bool sent = co_await s.send(http_response("503 Service Unavailable", R"({"message":"busy"})",
                                                        "Content-Type: application/json\r\nx-amz-retry-after: 300\r\n"));
        if (!sent) co_return;
        got = co_await s.read_request();
        if (!got) co_return;
        co_await s.send(http_response("200 OK", R"({"name":"lobby"})"));
    });
    auto options = options_for(server);
    options.retry_strategy = ivschat::make_retry_strategy(
        {.max_attempts = 2, .base_delay = 1ms, .throttling_base_delay = 1ms, .jitter = [] { return 0.0; }});
    auto o = get_room(options);
    CHECK_FALSE(o.ec);
    REQUIRE(o.diag.attempts.size() == 2);
    CHECK(o.diag.attempts[0].http_status == 503);
    CHECK(o.diag.backoff_time == 300ms);
    check_bounded(o.cost);
}

// A 2xx other than the operation's success status is not taken for its output.
TEST_CASE("hostile: a success status other than the operation's is a malformed response", "[hostile][client]") {
    hostile_server server(answer_each(http_response("204 No Content", "", "")));
    auto o = get_room(options_for(server, 3));
    CHECK(o.ec == ivschat::error::malformed_response);
    CHECK(o.diag.client_message == "HTTP 204 where GetRoom answers 200");
    CHECK(o.diag.attempts.size() == 1);
    check_bounded(o.cost);
}
