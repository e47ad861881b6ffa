// One pool shared by many coroutines on an io_context run by four threads,
// with cancellations racing the exchanges (run under ThreadSanitizer by the
// tsan preset).
#include "transport_test_server.hpp"

#include "ivschat/http/connection_pool.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using ivschat::http::async_send;
using ivschat::http::connection_pool;
using ivschat::http::header_field;
using ivschat::http::request;
using ivschat::http::response;
using ivschat::test::test_server;
namespace asio = boost::asio;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const header_field host_header[] = {{"Host", "localhost"}};
const request hello{.method = "POST", .target = "/Hello", .headers = host_header, .body = "{}"};

struct tally {
    std::atomic<int> ok{0};
    std::atomic<int> aborted{0};
    std::atomic<int> other{0};

    void count(const error_code& ec, const response& res) {
        if (!ec && res.body == "POST /Hello {}") {
            ++ok;
        } else if (ec == asio::error::operation_aborted) {
            ++aborted;
        } else {
            ++other;
            UNSCOPED_INFO("unexpected outcome: " << ec.message());
        }
    }
};

// Each caller mixes plain sends, sends raced by a short timer, and explicit
// acquire + exchange + release.
asio::awaitable<void> caller(connection_pool& pool, tally& t, int id, int rounds) {
    using namespace asio::experimental::awaitable_operators;
    response res;
    for (int i = 0; i < rounds; ++i) {
        switch ((id + i) % 3) {
        case 0: {
            auto [ec] = co_await async_send(pool, hello, res, use_tuple);
            t.count(ec, res);
            break;
        }
        case 1: {
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     std::chrono::microseconds(50 * (i % 8)));
            auto outcome = co_await (async_send(pool, hello, res, use_tuple) || timer.async_wait(use_tuple));
            if (outcome.index() == 0) {
                t.count(std::get<0>(std::get<0>(outcome)), res);
            } else {
                ++t.aborted;
            }
            break;
        }
        default: {
            auto [acquire_error, lease] = co_await pool.async_acquire(use_tuple);
            if (acquire_error) {
                t.count(acquire_error, res);
                break;
            }
            auto [ec] = co_await lease.async_exchange(hello, res, use_tuple);
            t.count(ec, res);
        }
        }
    }
}

void hammer(bool tls) {
    ivschat::testing::throwaway_ca ca;
    test_server server(tls, &ca);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), {.tls = tls, .host = "localhost", .port = server.port()},
                         {.max_connections = 6, .ca_pem = ca.cert_pem()});
    tally t;
    constexpr int callers = 32;
    constexpr int rounds = 30;
    for (int id = 0; id < callers; ++id) {
        asio::co_spawn(asio::make_strand(ioc), caller(pool, t, id, rounds), asio::detached);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    // Counters are readable from any thread while the pool works.
    std::uint64_t max_live = 0;
    while (!ioc.stopped()) {
        max_live = std::max(max_live, pool.counters().live_connections);
        std::this_thread::sleep_for(1ms);
    }
    for (auto& th : threads) th.join();

    CHECK(t.other == 0);
    CHECK(t.ok + t.aborted == callers * rounds);
    CHECK(t.ok > callers * rounds / 2);
    CHECK(max_live <= 6);
    const auto c = pool.counters();
    CHECK(c.waiting_callers == 0);
    CHECK(c.live_connections <= 6);
    CHECK(c.live_connections == c.idle_connections);
    CHECK(c.connections_opened - c.connections_closed == c.live_connections);
}

}  // namespace

TEST_CASE("threads: one plain pool shared by coroutines on four threads") {
    hammer(false);
}

TEST_CASE("threads: one TLS pool shared by coroutines on four threads") {
    hammer(true);
}
