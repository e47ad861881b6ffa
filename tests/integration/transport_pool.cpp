// The connection pool over plain HTTP against a misbehaving server on
// 127.0.0.1: reuse, caps, FIFO waiters, eviction, stale connections, broken
// responses, timeouts and cancellation.
#include "transport_test_server.hpp"

#include "ivschat/http/connection_pool.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <catch2/catch.hpp>

#include <vector>

namespace {

using namespace std::chrono_literals;
using ivschat::transport_errc;
using ivschat::http::async_send;
using ivschat::http::connection_pool;
using ivschat::http::header_field;
using ivschat::http::pooled_connection;
using ivschat::http::request;
using ivschat::http::response;
using ivschat::test::behaviour;
using ivschat::test::test_server;
namespace asio = boost::asio;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const header_field host_header[] = {{"Host", "127.0.0.1"}};
const request hello{.method = "POST", .target = "/Hello", .headers = host_header, .body = "{}"};

// Runs `test` as a coroutine on `ioc` until everything it started is done.
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

ivschat::http::endpoint plain(const test_server& server) {
    return {.tls = false, .host = "127.0.0.1", .port = server.port()};
}

asio::awaitable<error_code> send(connection_pool& pool, response& res, const request& req = hello) {
    auto [ec] = co_await async_send(pool, req, res, use_tuple);
    co_return ec;
}

}  // namespace

TEST_CASE("transport: sequential requests reuse one connection") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        for (int i = 0; i < 20; ++i) {
            ec = co_await send(pool, res);
            REQUIRE_FALSE(ec);
            CHECK(res.status == 200);
            CHECK(res.body == "POST /Hello {}");
            CHECK(res.request_id == "req-" + std::to_string(i + 1));
            CHECK(res.content_type == "text/plain");
            CHECK(res.connection_reused == (i > 0));
        }
    });
    CHECK(server.connections_accepted() == 1);
    const auto c = pool.counters();
    CHECK(c.connections_opened == 1);
    CHECK(c.connections_reused == 19);
    CHECK(c.idle_connections == 1);
    CHECK(c.live_connections == 1);
    CHECK(pool.host_header() == "127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("transport: chunked responses and callbacks") {
    test_server server(false);
    server.set_behaviour(behaviour::respond_chunked);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    response res;
    error_code result = asio::error::would_block;
    async_send(pool, hello, res, [&](error_code ec) { result = ec; });
    ioc.run();
    CHECK_FALSE(result);
    CHECK(res.body == "POST /Hello {}");
}

TEST_CASE("transport: callers beyond the cap wait in FIFO order, the queue is bounded") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_connections = 2, .max_waiters = 3});
    std::vector<int> order;
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [e1, first] = co_await pool.async_acquire(use_tuple);
        auto [e2, second] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(e1);
        REQUIRE_FALSE(e2);
        for (int i = 0; i < 3; ++i) {
            pool.async_acquire([&order, i](error_code ec, pooled_connection c) {
                CHECK_FALSE(ec);
                order.push_back(i);
                // Hand it back at once so the next waiter gets it.
                c.release();
            });
        }
        co_await sleep_for(20ms);
        CHECK(pool.counters().waiting_callers == 3);
        auto [e4, refused] = co_await pool.async_acquire(use_tuple);
        CHECK(e4 == transport_errc::too_many_waiters);
        first.release();
        second.release();
        co_await sleep_for(20ms);
    });
    CHECK(order == std::vector<int>{0, 1, 2});
    CHECK(server.connections_accepted(2) == 2);
    CHECK(pool.counters().waiting_callers == 0);
    CHECK(pool.counters().live_connections == 2);
}

TEST_CASE("transport: an acquisition times out when the pool stays full") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_connections = 1, .acquire_timeout = 50ms});
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [e1, held] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(e1);
        auto [e2, none] = co_await pool.async_acquire(use_tuple);
        CHECK(e2 == transport_errc::acquire_timeout);
        CHECK_FALSE(none);
        CHECK(pool.counters().waiting_callers == 0);
    });
}

TEST_CASE("transport: idle connections are evicted after the idle timeout") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.idle_timeout = 50ms});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        CHECK(pool.counters().idle_connections == 1);
        co_await sleep_for(150ms);
        // The next acquisition closes the expired connection and opens anew.
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        const auto c = pool.counters();
        CHECK(c.connections_evicted == 1);
        CHECK(c.connections_opened == 2);
        CHECK(c.live_connections == 1);
    });
    CHECK(server.connections_accepted() == 2);
}

// A server closing an idle connection: found by the peek before reuse once
// the connection was idle validate_after_idle or longer, else by the failed
// exchange, which goes out again on a new connection.
TEST_CASE("transport: a connection the server closed while idle is not used") {
    const bool validated = GENERATE(true, false);
    CAPTURE(validated);
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server),
                         {.validate_after_idle = validated ? 0ms : std::chrono::milliseconds{60s}});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        // Let the server get back to waiting for the next request.
        co_await sleep_for(20ms);
        CHECK(server.close_idle_connections() == 1);
        co_await sleep_for(20ms);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        CHECK(res.body == "POST /Hello {}");
    });
    const auto c = pool.counters();
    CHECK(c.connections_opened == 2);
    CHECK(c.connections_evicted == (validated ? 1 : 0));
    CHECK(c.stale_retries == (validated ? 0 : 1));
}

TEST_CASE("transport: a reused connection closed before the response is retried once, fresh") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        server.set_next_behaviour(behaviour::close_without_response);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        CHECK(res.status == 200);
        // The retry was on a connection of its own.
        CHECK_FALSE(res.connection_reused);
        // On a new connection the same failure is the caller's error.
        server.set_behaviour(behaviour::close_without_response);
        ec = co_await send(pool, res);
        CHECK(ec == transport_errc::closed_before_response);
    });
    const auto c = pool.counters();
    CHECK(c.stale_retries == 2);
    CHECK(server.requests_read() == 5);
}

TEST_CASE("transport: a connection the server resets mid-response is an error and discarded") {
    test_server server(false);
    server.set_behaviour(behaviour::reset_mid_response);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        CHECK(ec == asio::error::connection_reset);
    });
    const auto c = pool.counters();
    CHECK(c.live_connections == 0);
    CHECK(c.connections_closed == 1);
}

TEST_CASE("transport: truncated, malformed and oversized responses are clear errors") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_response_body = 64 * 1024});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        server.set_behaviour(behaviour::truncate_body);
        ec = co_await send(pool, res);
        CHECK(ec == transport_errc::truncated_response);
        server.set_behaviour(behaviour::malformed_status);
        ec = co_await send(pool, res);
        CHECK(ec == transport_errc::malformed_response);
        server.set_behaviour(behaviour::huge_body);
        ec = co_await send(pool, res);
        CHECK(ec == transport_errc::response_too_large);
        CHECK(res.body.capacity() < 64 * 1024);
        server.set_behaviour(behaviour::respond);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
    });
    // Every failed exchange cost its connection.
    CHECK(server.connections_accepted() == 4);
    CHECK(pool.counters().connections_reused == 0);
}

TEST_CASE("transport: responses that end the connection are not reused") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        server.set_next_behaviour(behaviour::respond_connection_close);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        server.set_next_behaviour(behaviour::respond_with_garbage_after);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
    });
    CHECK(server.connections_accepted() == 3);
}

TEST_CASE("transport: the per-connection request cap retires connections") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_requests_per_connection = 2});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        for (int i = 0; i < 5; ++i) {
            ec = co_await send(pool, res);
            REQUIRE_FALSE(ec);
        }
    });
    CHECK(server.connections_accepted() == 3);
}

TEST_CASE("transport: an exchange past its timeout fails and loses its connection") {
    test_server server(false);
    server.set_behaviour(behaviour::delay_response);
    server.set_delay(400ms);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.exchange_timeout = 50ms});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        CHECK(ec == transport_errc::exchange_timeout);
        CHECK(pool.counters().live_connections == 0);
    });
}

TEST_CASE("transport: a send's deadline bounds its wait for a connection and its exchange") {
    test_server server(false);
    server.set_behaviour(behaviour::delay_response);
    server.set_delay(400ms);
    asio::io_context ioc;
    // The pool's own timeouts are far away: only the deadline can end these sends.
    connection_pool pool(ioc.get_executor(), plain(server),
                         {.max_connections = 1, .acquire_timeout = 60s, .exchange_timeout = 60s, .thread_safe = false});
    run(ioc, [&]() -> asio::awaitable<void> {
        response held_res;
        error_code held = asio::error::would_block;
        asio::co_spawn(ioc, send(pool, held_res), [&](std::exception_ptr, error_code ec) { held = ec; });
        co_await sleep_for(20ms);
        REQUIRE(pool.counters().live_connections == 1);

        // The only connection is busy for 400 ms: the wait ends at the deadline.
        response res;
        auto started = std::chrono::steady_clock::now();
        auto [waited] = co_await pool.send(hello, res, {started + 100ms});
        CHECK(waited == transport_errc::acquire_timeout);
        CHECK(std::chrono::steady_clock::now() - started < 300ms);
        CHECK(pool.counters().waiting_callers == 0);
        while (held == asio::error::would_block) co_await sleep_for(10ms);
        CHECK_FALSE(held);

        // The server answers after 400 ms: the exchange ends at the deadline
        // and its connection is closed.
        started = std::chrono::steady_clock::now();
        auto [cut] = co_await pool.send(hello, res, {started + 100ms});
        CHECK(cut == transport_errc::exchange_timeout);
        CHECK(std::chrono::steady_clock::now() - started < 300ms);
        CHECK(pool.counters().live_connections == 0);

        // A deadline that already passed sends nothing.
        auto [late] = co_await pool.send(hello, res, {std::chrono::steady_clock::now() - 1ms});
        CHECK(late == transport_errc::acquire_timeout);

        server.set_behaviour(behaviour::respond);
        auto [ok] = co_await pool.send(hello, res, {std::chrono::steady_clock::now() + 5s});
        CHECK_FALSE(ok);
        CHECK(res.body == "POST /Hello {}");
    });
}

TEST_CASE("transport: closing the pool ends an exchange in flight and fails waiters") {
    test_server server(false);
    server.set_behaviour(behaviour::delay_response);
    server.set_delay(2s);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_connections = 1});
    error_code in_exchange, waiting;
    response responses[2];
    int done = 0;
    const auto started = std::chrono::steady_clock::now();
    for (error_code* result : {&in_exchange, &waiting}) {
        asio::co_spawn(ioc, send(pool, responses[result == &waiting]), [&, result](std::exception_ptr, error_code ec) {
            *result = ec;
            ++done;
        });
    }
    asio::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) {
        CHECK(pool.counters().waiting_callers == 1);
        pool.close();
    });
    ioc.run();
    CHECK(done == 2);
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(in_exchange);
    CHECK(waiting == transport_errc::pool_closed);
    CHECK(pool.counters().live_connections == 0);
}

TEST_CASE("transport: cancelling a send with || of a timer aborts it and discards the connection") {
    using namespace asio::experimental::awaitable_operators;
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        server.set_behaviour(behaviour::delay_response);
        server.set_delay(2s);
        asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
        const auto started = std::chrono::steady_clock::now();
        auto winner = co_await (async_send(pool, hello, res, use_tuple) || timer.async_wait(use_tuple));
        CHECK(std::chrono::steady_clock::now() - started < 1s);
        CHECK(winner.index() == 1);
        co_await sleep_for(10ms);
        auto c = pool.counters();
        CHECK(c.live_connections == 0);
        CHECK(c.connections_closed == 1);
        server.set_behaviour(behaviour::respond);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
        CHECK(res.body == "POST /Hello {}");
    });
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("transport: a cancelled waiter leaves the queue") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_connections = 1});
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [e1, held] = co_await pool.async_acquire(use_tuple);
        REQUIRE_FALSE(e1);
        asio::cancellation_signal cancel;
        std::optional<error_code> waiter_result;
        pool.async_acquire(asio::bind_cancellation_slot(
            cancel.slot(), [&](error_code ec, pooled_connection) { waiter_result = ec; }));
        co_await sleep_for(10ms);
        CHECK(pool.counters().waiting_callers == 1);
        cancel.emit(asio::cancellation_type::terminal);
        co_await sleep_for(10ms);
        REQUIRE(waiter_result);
        CHECK(*waiter_result == asio::error::operation_aborted);
        CHECK(pool.counters().waiting_callers == 0);
        held.release();
        co_await sleep_for(10ms);
        CHECK(pool.counters().idle_connections == 1);
    });
}

TEST_CASE("transport: warm_up opens connections ahead of a burst") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server), {.max_connections = 6});
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [ec] = co_await pool.async_warm_up(4, use_tuple);
        REQUIRE_FALSE(ec);
        CHECK(pool.counters().idle_connections == 4);
        std::vector<pooled_connection> leases;
        for (int i = 0; i < 4; ++i) {
            auto [e, c] = co_await pool.async_acquire(use_tuple);
            REQUIRE_FALSE(e);
            leases.push_back(std::move(c));
        }
        auto [again] = co_await pool.async_warm_up(10, use_tuple);
        CHECK_FALSE(again);
        CHECK(pool.counters().live_connections == 6);
    });
    CHECK(pool.counters().connections_opened == 6);
    CHECK(server.connections_accepted(6) == 6);
}

TEST_CASE("transport: an invalid request fails before I/O and keeps the connection") {
    test_server server(false);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), plain(server));
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        const header_field injected[] = {{"X-A", "1\r\nX-B: 2"}};
        ec = co_await send(pool, res, {.method = "GET", .target = "/", .headers = injected});
        CHECK(ec == transport_errc::invalid_request);
        ec = co_await send(pool, res);
        REQUIRE_FALSE(ec);
    });
    CHECK(server.connections_accepted() == 1);
    CHECK(server.requests_read() == 1);
}

TEST_CASE("transport: a refused connection is an error and frees its slot") {
    asio::io_context ioc;
    std::uint16_t closed_port = 0;
    {
        asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        closed_port = probe.local_endpoint().port();
    }
    connection_pool pool(ioc.get_executor(), {.tls = false, .host = "127.0.0.1", .port = closed_port},
                         {.max_connections = 1});
    run(ioc, [&]() -> asio::awaitable<void> {
        response res;
        error_code ec;
        ec = co_await send(pool, res);
        CHECK(ec == asio::error::connection_refused);
        ec = co_await send(pool, res);
        CHECK(ec == asio::error::connection_refused);
    });
    const auto c = pool.counters();
    CHECK(c.connect_failures == 2);
    CHECK(c.live_connections == 0);
}

TEST_CASE("transport: destroying the pool fails its waiters") {
    test_server server(false);
    asio::io_context ioc;
    auto pool = std::make_unique<connection_pool>(ioc.get_executor(), plain(server),
                                                  ivschat::pool_options{.max_connections = 1});
    std::optional<error_code> waiter_result;
    run(ioc, [&]() -> asio::awaitable<void> {
        auto [e1, held] = co_await pool->async_acquire(use_tuple);
        REQUIRE_FALSE(e1);
        pool->async_acquire([&](error_code ec, pooled_connection) { waiter_result = ec; });
        co_await sleep_for(10ms);
        pool.reset();
        co_await sleep_for(10ms);
    });
    REQUIRE(waiter_result);
    CHECK(*waiter_result == transport_errc::pool_closed);
}
