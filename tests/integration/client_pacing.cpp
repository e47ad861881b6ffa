// Pacing through ivschat::client against the in-process emulator: calls wait
// for their operation's permits, a wait past the call's deadline fails at
// once without a request, pacing is off by default for a custom endpoint;
// fleet-wide pacing through a real redis-server started by the test (Redis
// killed mid-run means local pacing at the fallback share, and its return is
// noticed; an unreachable or nonsensical Redis never hangs a call nor lets it
// go unpaced).
#include "support/child_process.hpp"
#include "support/emulator_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <thread>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using ivschat::test::emulator_fixture;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct burst_result {
    std::chrono::steady_clock::duration elapsed{};
    std::chrono::nanoseconds pacing_time{};
    int failures = 0;
    int fell_back = 0;
};

// `calls` CreateChatToken calls at once, spread over `clients`; waits for all.
awaitable<burst_result> token_burst(const std::vector<ivschat::client*>& clients, const std::string& room_arn, int calls) {
    burst_result result;
    int pending = calls;
    asio::steady_timer all_done(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) {
        asio::co_spawn(
            co_await asio::this_coro::executor,
            [&, i]() -> awaitable<void> {
                const ivschat::create_chat_token_request request{.room_identifier = room_arn,
                                                                 .user_id = "user-" + std::to_string(i)};
                ivschat::diagnostics diag;
                auto [ec, token] = co_await clients[i % clients.size()]->create_chat_token(request, diag, use_tuple);
                if (ec) {
                    UNSCOPED_INFO(ec.message() << ": " << diag.client_message);
                    ++result.failures;
                }
                result.pacing_time += diag.pacing_time;
                result.fell_back += diag.pacing_fallback;
                if (--pending == 0) all_done.cancel();
            },
            asio::detached);
    }
    co_await all_done.async_wait(use_tuple);
    result.elapsed = std::chrono::steady_clock::now() - started;
    co_return result;
}

awaitable<std::string> make_room(ivschat::client& chat) {
    const ivschat::create_room_request request{};
    auto room = co_await chat.create_room(request);
    co_return *room.arn;
}

std::uint16_t free_port() {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// redis-server on 127.0.0.1:port, without persistence; ready when constructed.
class redis_server {
public:
    explicit redis_server(std::uint16_t port)
        : process_({"/usr/bin/redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no"}) {
        asio::io_context ioc;
        for (int i = 0; i < 250; ++i) {
            tcp::socket socket(ioc);
            boost::system::error_code ec;
            socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (!ec) return;
            std::this_thread::sleep_for(20ms);
        }
        FAIL("redis-server did not start on port " << port);
    }
    void kill() { process_.stop(SIGKILL); }

private:
    ivschat::test::child_process process_;
};

ivschat::client_options fleet_options(const emulator_fixture& f, std::uint16_t redis_port, double quota) {
    auto options = f.options();
    options.pacing = {.quotas = {{"CreateChatToken", quota}},
                      .rate_limiter = "redis://127.0.0.1:" + std::to_string(redis_port) + "/test" +
                                      std::to_string(::getpid()),
                      .fallback_share = 0.5};
    return options;
}

}  // namespace

TEST_CASE("pacing: a burst waits for its permits instead of going out at once", "[client][emulator][pacing]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pacing = {.mode = ivschat::pacing_mode::on, .quotas = {{"CreateChatToken", 20}}};
        ivschat::client chat{f.ioc.get_executor(), options};
        const auto room = co_await make_room(chat);
        // 30 calls at 20/s with a burst of 2 (0.1 s): the last permit is
        // 1.4 s after the first, however fast the machine.
        const std::vector clients{&chat};
        auto burst = co_await token_burst(clients, room, 30);
        CHECK(burst.failures == 0);
        CHECK(burst.elapsed >= 1400ms - 20ms);
        // Callers 3..30 waited 0.05 s .. 1.4 s: about 20 s in all.
        CHECK(burst.pacing_time >= 19s);
    });
}

TEST_CASE("pacing: twice the quota offered to a service that enforces it, and no 429", "[client][emulator][pacing]") {
    // The emulator throttles CreateChatToken beyond 40/s (its bucket holds a
    // second of the rate); the client paces at the same quota.
    emulator_fixture f({.tls = true, .operation_rates = {{"CreateChatToken", 40}}});
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pacing = {.mode = ivschat::pacing_mode::on, .quotas = {{"CreateChatToken", 40}}};
        options.max_attempts = 1;  // a 429 would be a failure, not hidden by a retry
        ivschat::client chat{f.ioc.get_executor(), options};
        const auto room = co_await make_room(chat);
        const std::vector clients{&chat};
        auto burst = co_await token_burst(clients, room, 80);
        CHECK(burst.failures == 0);
        CHECK(burst.elapsed >= 1900ms - 30ms);  // (80 - a burst of 4) at 40/s
    });
    // Unpaced, the same offer is throttled: the emulator does enforce it.
    emulator_fixture unpaced_emulator({.tls = true, .operation_rates = {{"CreateChatToken", 40}}});
    unpaced_emulator.run([&]() -> awaitable<void> {
        auto options = unpaced_emulator.options();
        options.max_attempts = 1;
        ivschat::client chat{unpaced_emulator.ioc.get_executor(), options};
        const auto room = co_await make_room(chat);
        const std::vector clients{&chat};
        auto burst = co_await token_burst(clients, room, 80);
        CHECK(burst.failures > 0);
    });
}

TEST_CASE("pacing: off by default for a custom endpoint, on when asked", "[client][emulator][pacing]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client unpaced{f.ioc.get_executor(), f.options()};
        const auto room = co_await make_room(unpaced);
        // The documented 5 TPS of CreateRoom would hold these back.
        for (int i = 0; i < 10; ++i) co_await make_room(unpaced);
        const std::vector clients{&unpaced};
        auto burst = co_await token_burst(clients, room, 50);
        CHECK(burst.failures == 0);
        CHECK(burst.pacing_time == 0ns);
    });
}

TEST_CASE("pacing: a wait past the call's deadline fails at once and sends nothing", "[client][emulator][pacing]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pacing = {.mode = ivschat::pacing_mode::on, .quotas = {{"GetRoom", 1}}};
        options.call_timeout = 500ms;
        ivschat::client chat{f.ioc.get_executor(), options};
        const auto room = co_await make_room(chat);
        const ivschat::get_room_request get{.identifier = room};
        ivschat::diagnostics diag;
        auto [first_ec, first] = co_await chat.get_room(get, diag, use_tuple);
        CHECK_FALSE(first_ec);
        // The next GetRoom permit is a second away, past the 500 ms deadline.
        const auto started = std::chrono::steady_clock::now();
        auto [ec, second] = co_await chat.get_room(get, diag, use_tuple);
        CHECK(ec == ivschat::error::quota_wait);
        CHECK(diag.attempts.empty());
        CHECK(diag.client_message == "the GetRoom quota leaves no permit before the call's deadline");
        // The next permit is a second after the first call's.
        CHECK(diag.quota_available_in > 500ms);
        CHECK(diag.quota_available_in <= 1s);
        CHECK(std::chrono::steady_clock::now() - started < 400ms);
        // The refused call took no permit: one second after the first, the next goes through.
        asio::steady_timer pause(co_await asio::this_coro::executor, 1s);
        co_await pause.async_wait(use_tuple);
        auto [third_ec, third] = co_await chat.get_room(get, diag, use_tuple);
        CHECK_FALSE(third_ec);
    });
}

TEST_CASE("pacing: clients with the same credentials and region share the permits", "[client][emulator][pacing]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pacing = {.mode = ivschat::pacing_mode::on, .quotas = {{"CreateChatToken", 20}}};
        ivschat::client first{f.ioc.get_executor(), options};
        ivschat::client second{f.ioc.get_executor(), options};
        const auto room = co_await make_room(first);
        // 15 calls on each client: 30 permits at 20/s with a burst of 2.
        const auto started = std::chrono::steady_clock::now();
        const std::vector first_clients{&first};
        const std::vector second_clients{&second};
        auto a = asio::co_spawn(co_await asio::this_coro::executor, token_burst(first_clients, room, 15),
                                asio::use_awaitable);
        auto b = co_await token_burst(second_clients, room, 15);
        auto a_result = co_await std::move(a);
        CHECK(a_result.failures + b.failures == 0);
        CHECK(std::chrono::steady_clock::now() - started >= 1400ms - 20ms);
    });
}

TEST_CASE("pacing: bad options fail the client's constructor", "[client][pacing]") {
    asio::io_context ioc;
    ivschat::client_options options;
    options.region = "us-west-2";
    options.credentials = ivschat::emulator::example_credentials();
    options.environment = ivschat::environment::from_map({});
    options.pacing = {.quotas = {{"CreateChatToken", 0}}};
    CHECK_THROWS_WITH((ivschat::client{ioc.get_executor(), options}), "pacing: the quota of CreateChatToken must be > 0");
    options.pacing = {.mode = ivschat::pacing_mode::on, .quotas = {{"NoSuchOperation", 5}}};
    CHECK_THROWS_WITH((ivschat::client{ioc.get_executor(), options}), "pacing: no operation is named 'NoSuchOperation'");
}

TEST_CASE("fleet pacing: three clients share one schedule through Redis", "[pacing][redis]") {
    const auto port = free_port();
    redis_server redis(port);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client a{f.ioc.get_executor(), fleet_options(f, port, 40)};
        ivschat::client b{f.ioc.get_executor(), fleet_options(f, port, 40)};
        ivschat::client c{f.ioc.get_executor(), fleet_options(f, port, 40)};
        const std::vector fleet{&a, &b, &c};
        const auto room = co_await make_room(a);
        // 60 permits at 40/s with a burst of 4, whoever asks: at least 1.4 s.
        auto burst = co_await token_burst(fleet, room, 60);
        CHECK(burst.failures == 0);
        CHECK(burst.fell_back == 0);
        CHECK(burst.elapsed >= 1400ms - 30ms);
    });
}

TEST_CASE("fleet pacing: Redis killed mid-run, then back", "[pacing][redis]") {
    const auto port = free_port();
    auto redis = std::make_unique<redis_server>(port);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), fleet_options(f, port, 40)};
        const std::vector fleet{&chat};
        const auto room = co_await make_room(chat);
        auto before = co_await token_burst(fleet, room, 10);
        CHECK(before.failures == 0);
        CHECK(before.fell_back == 0);

        redis->kill();
        // The permits leased before (at most a batch of 2) go first; the rest
        // are paced locally at half the quota: 20/s with a burst of 2.
        auto during = co_await token_burst(fleet, room, 30);
        CHECK(during.failures == 0);
        CHECK(during.fell_back >= 28);
        CHECK(during.elapsed >= (during.fell_back - 2) * 50ms - 30ms);

        redis = std::make_unique<redis_server>(port);
        // The rate limiter is tried again a second after it failed.
        asio::steady_timer pause(co_await asio::this_coro::executor, 1100ms);
        co_await pause.async_wait(use_tuple);
        auto after = co_await token_burst(fleet, room, 10);
        CHECK(after.failures == 0);
        CHECK(after.fell_back <= 1);
        auto settled = co_await token_burst(fleet, room, 10);
        CHECK(settled.fell_back == 0);
    });
}

TEST_CASE("fleet pacing: an unreachable Redis means local pacing, at once", "[pacing][redis]") {
    const auto port = free_port();  // nothing listens there
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), fleet_options(f, port, 40)};
        const std::vector fleet{&chat};
        const auto room = co_await make_room(chat);
        auto burst = co_await token_burst(fleet, room, 30);
        CHECK(burst.failures == 0);
        CHECK(burst.fell_back == 30);
        CHECK(burst.elapsed >= 1400ms - 30ms);  // 20/s, not unpaced
        CHECK(burst.elapsed < 10s);
    });
}

TEST_CASE("fleet pacing: a server that answers nonsense is not trusted", "[pacing][redis]") {
    const std::string answers[] = {"HTTP/1.1 400 Bad Request\r\n\r\n", "-ERR unknown command\r\n", ":999999999999\r\n",
                                   "$5\r\nhello\r\n", std::string(100000, '*')};
    for (const std::string& answer : answers) {
        INFO("answer " << answer.substr(0, 40));
        emulator_fixture f;
        tcp::acceptor impostor(f.ioc, {asio::ip::make_address("127.0.0.1"), 0});
        const auto port = impostor.local_endpoint().port();
        asio::co_spawn(
            f.ioc,
            [&]() -> awaitable<void> {
                for (;;) {
                    auto [ec, socket] = co_await impostor.async_accept(use_tuple);
                    if (ec) co_return;
                    co_await asio::async_write(socket, asio::buffer(answer), use_tuple);
                    // Keep the connection open until the client gives up on it.
                    char sink[512];
                    for (;;) {
                        auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
                        if (read_ec) break;
                    }
                }
            },
            asio::detached);
        f.run([&]() -> awaitable<void> {
            ivschat::client chat{f.ioc.get_executor(), fleet_options(f, port, 40)};
            const std::vector fleet{&chat};
            const auto room = co_await make_room(chat);
            auto burst = co_await token_burst(fleet, room, 10);
            CHECK(burst.failures == 0);
            CHECK(burst.fell_back == 10);
            CHECK(burst.elapsed < 5s);
            impostor.close();
        });
    }
}

TEST_CASE("fleet pacing: bad rate limiter settings fail the constructor", "[pacing][redis]") {
    asio::io_context ioc;
    ivschat::client_options options;
    options.region = "us-west-2";
    options.credentials = ivschat::emulator::example_credentials();
    options.environment = ivschat::environment::from_map({});
    for (const char* url : {"http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:0", "redis://127.0.0.1:70000",
                            "redis://user@127.0.0.1", "redis://127.0.0.1/a/b", "not a url"}) {
        INFO(url);
        options.pacing = {.rate_limiter = url};
        CHECK_THROWS_AS((ivschat::client{ioc.get_executor(), options}), ivschat::config_error);
    }
    options.pacing = {.rate_limiter = "redis://127.0.0.1:6379", .fallback_share = 0};
    CHECK_THROWS_WITH((ivschat::client{ioc.get_executor(), options}), "pacing: fallback_share must be > 0 and <= 1");
    options.pacing = {.rate_limiter = "redis://127.0.0.1:6379", .fallback_share = 1.5};
    CHECK_THROWS_AS((ivschat::client{ioc.get_executor(), options}), ivschat::config_error);
    options.pacing = {.rate_limiter = "redis://127.0.0.1:6379/prefix", .rate_limiter_timeout = 0ms};
    CHECK_THROWS_WITH((ivschat::client{ioc.get_executor(), options}), "pacing: rate_limiter_timeout must be > 0");
    // A good URL constructs without connecting.
    options.pacing = {.rate_limiter = "redis://127.0.0.1:6379/prefix"};
    CHECK_NOTHROW(ivschat::client{ioc.get_executor(), options});
}
