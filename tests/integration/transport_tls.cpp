// The connection pool over TLS with a throwaway CA: verification of the chain
// and host name, session resumption, handshake and connect timeouts.
#include "transport_test_server.hpp"

#include "ivschat/http/connection_pool.hpp"
#include "ivschat/http/tls_engine.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>

#include <filesystem>

namespace {

using namespace std::chrono_literals;
using ivschat::transport_errc;
using ivschat::http::async_send;
using ivschat::http::connection_pool;
using ivschat::http::header_field;
using ivschat::http::request;
using ivschat::http::response;
using ivschat::test::test_server;
using ivschat::testing::throwaway_ca;
namespace asio = boost::asio;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const header_field host_header[] = {{"Host", "localhost"}};
const request hello{.method = "POST", .target = "/Hello", .headers = host_header, .body = "{}"};

template <class Test>
void run(asio::io_context& ioc, Test test) {
    auto done = asio::co_spawn(ioc, test(), asio::use_future);
    ioc.run();
    done.get();
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(use_tuple);
}

ivschat::http::endpoint tls_endpoint(std::uint16_t port, std::string host = "localhost") {
    return {.tls = true, .host = std::move(host), .port = port};
}

// Sends one request on a new pool and returns the outcome.
error_code send_once(const ivschat::http::endpoint& ep, const ivschat::pool_options& options) {
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), ep, options);
    response res;
    error_code result = asio::error::would_block;
    async_send(pool, hello, res, [&](error_code ec) { result = ec; });
    ioc.run();
    return result;
}

bool is_certificate_failure(const error_code& ec) {
    return ec.category() == ivschat::http::certificate_category();
}

}  // namespace

TEST_CASE("tls: requests over TLS verified against a CA file, by name and by IP") {
    throwaway_ca ca;
    test_server server(true, &ca);
    const auto ca_file = std::filesystem::temp_directory_path() /
                         ("ivschat_transport_tls_" + std::to_string(server.port()) + ".pem");
    ca.write_cert_pem(ca_file);
    for (const char* host : {"localhost", "127.0.0.1"}) {
        asio::io_context ioc;
        connection_pool pool(ioc.get_executor(), tls_endpoint(server.port(), host), {.ca_file = ca_file.string()});
        run(ioc, [&]() -> asio::awaitable<void> {
            response res;
            for (int i = 0; i < 3; ++i) {
                auto [ec] = co_await async_send(pool, hello, res, use_tuple);
                REQUIRE_FALSE(ec);
                CHECK(res.status == 200);
                CHECK(res.body == "POST /Hello {}");
            }
        });
        const auto c = pool.counters();
        CHECK(c.connections_opened == 1);
        CHECK(c.tls_handshakes == 1);
        CHECK(c.connections_reused == 2);
    }
    std::filesystem::remove(ca_file);
}

TEST_CASE("tls: new connections of a pool resume the TLS session") {
    throwaway_ca ca;
    test_server server(true, &ca);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), tls_endpoint(server.port()), {.ca_pem = ca.cert_pem()});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        // The first exchange delivers the server's session ticket.
        auto [first_error, first] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(first_error);
        auto [exchange_error] = co_await first.async_exchange(hello, res, use_tuple);
        REQUIRE_FALSE(exchange_error);
        // While it is leased, the next two callers need new connections.
        auto [second_error, second] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(second_error);
        auto [third_error, third] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(third_error);
        auto [e2] = co_await second.async_exchange(hello, res, use_tuple);
        CHECK_FALSE(e2);
    });
    const auto c = pool.counters();
    CHECK(c.tls_handshakes == 3);
    CHECK(c.tls_resumed_sessions == 2);
    CHECK(server.tls_resumed(2) == 2);
}

TEST_CASE("tls: warmed-up connections serve requests without new handshakes") {
    throwaway_ca ca;
    test_server server(true, &ca);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), tls_endpoint(server.port()), {.ca_pem = ca.cert_pem()});
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [warm_error] = co_await pool.async_warm_up(3, use_tuple);
        REQUIRE_FALSE(warm_error);
        co_await sleep_for(20ms);
        // Three callers at once take the three warm connections, whose
        // unread session tickets must not make them look closed.
        std::vector<ivschat::http::pooled_connection> leases;
        for (int i = 0; i < 3; ++i) {
            auto [ec, lease] = co_await pool.async_acquire(use_tuple);
            REQUIRE_FALSE(ec);
            CHECK(lease.reused());
            leases.push_back(std::move(lease));
        }
        response res;
        for (auto& lease : leases) {
            auto [ec] = co_await lease.async_exchange(hello, res, use_tuple);
            CHECK_FALSE(ec);
        }
    });
    const auto c = pool.counters();
    CHECK(c.connections_opened == 3);
    CHECK(c.tls_handshakes == 3);
    CHECK(c.connections_evicted == 0);
}

TEST_CASE("tls: a certificate from another CA is refused") {
    throwaway_ca ca;
    throwaway_ca other;
    test_server server(true, &ca);
    const auto ec = send_once(tls_endpoint(server.port()), {.ca_pem = other.cert_pem()});
    CHECK(is_certificate_failure(ec));
    // The system trust store does not know the throwaway CA either.
    CHECK(is_certificate_failure(send_once(tls_endpoint(server.port()), {})));
    // Without verification the same server is accepted.
    CHECK_FALSE(send_once(tls_endpoint(server.port()), {.verify_peer = false}));
}

TEST_CASE("tls: a certificate for another host name is refused") {
    throwaway_ca ca;
    test_server server(true, &ca, {.dns_names = {"other.test"}, .ip_addresses = {"127.0.0.2"}});
    for (const char* host : {"localhost", "127.0.0.1"}) {
        CHECK(is_certificate_failure(send_once(tls_endpoint(server.port(), host), {.ca_pem = ca.cert_pem()})));
    }
}

TEST_CASE("tls: a server closing idle TLS connections is detected") {
    throwaway_ca ca;
    test_server server(true, &ca);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), tls_endpoint(server.port()), {.ca_pem = ca.cert_pem()});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        auto [e1] = co_await async_send(pool, hello, res, use_tuple);
        REQUIRE_FALSE(e1);
        co_await sleep_for(20ms);
        CHECK(server.close_idle_connections() == 1);
        co_await sleep_for(20ms);
        auto [e2] = co_await async_send(pool, hello, res, use_tuple);
        REQUIRE_FALSE(e2);
    });
    const auto c = pool.counters();
    CHECK(c.connections_opened == 2);
    CHECK(c.connections_evicted + c.stale_retries == 1);
}

TEST_CASE("tls: a server that never answers the handshake times out") {
    asio::io_context ioc;
    asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket accepted(ioc);
    silent.async_accept(accepted, [](error_code) {});
    connection_pool pool(ioc.get_executor(), tls_endpoint(silent.local_endpoint().port()),
                         {.tls_handshake_timeout = 100ms});
    // The caller's deadline ends a handshake long before its own timeout.
    connection_pool patient(ioc.get_executor(), tls_endpoint(silent.local_endpoint().port()),
                            {.tls_handshake_timeout = 60s, .thread_safe = false});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        auto [ec] = co_await async_send(pool, hello, res, use_tuple);
        CHECK(ec == transport_errc::tls_handshake_timeout);
        CHECK(pool.counters().live_connections == 0);

        const auto started = std::chrono::steady_clock::now();
        auto [cut] = co_await patient.send(hello, res, {started + 100ms});
        CHECK(cut == transport_errc::tls_handshake_timeout);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        CHECK(patient.counters().live_connections == 0);
    });
}

TEST_CASE("tls: a listener whose backlog is full makes the connect time out") {
    asio::io_context ioc;
    asio::ip::tcp::acceptor full(ioc);
    full.open(asio::ip::tcp::v4());
    full.bind({asio::ip::make_address("127.0.0.1"), 0});
    full.listen(0);
    // Fill the accept queue; further SYNs are dropped, so connects hang.
    // Raw non-blocking connects: they must neither block nor keep ioc busy.
    std::vector<asio::ip::tcp::socket> fillers;
    const auto target = full.local_endpoint();
    for (int i = 0; i < 4; ++i) {
        fillers.emplace_back(ioc);
        fillers.back().open(asio::ip::tcp::v4());
        const int fd = fillers.back().native_handle();
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::connect(fd, target.data(), static_cast<socklen_t>(target.size()));
    }
    connection_pool pool(ioc.get_executor(), tls_endpoint(full.local_endpoint().port()),
                         {.connect_timeout = 200ms});
    // The caller's deadline ends a connect long before its own timeout.
    connection_pool patient(ioc.get_executor(), tls_endpoint(full.local_endpoint().port()),
                            {.connect_timeout = 60s, .thread_safe = false});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        auto [ec] = co_await async_send(pool, hello, res, use_tuple);
        CHECK(ec == transport_errc::connect_timeout);
        CHECK(pool.counters().connect_failures == 1);

        const auto started = std::chrono::steady_clock::now();
        auto [cut] = co_await patient.send(hello, res, {started + 200ms});
        CHECK(cut == transport_errc::connect_timeout);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        CHECK(patient.counters().connect_failures == 1);
    });
}
