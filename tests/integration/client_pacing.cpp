// Pacing through ivschat::client against the in-process emulator: calls wait
// for their operation's permits, a wait past the call's deadline fails at
// once without a request, and pacing is off by default for a custom endpoint.
#include "support/emulator_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::test::emulator_fixture;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct burst_result {
    std::chrono::steady_clock::duration elapsed{};
    std::chrono::nanoseconds pacing_time{};
    int failures = 0;
};

// Issues `calls` CreateChatToken calls at once and waits for all of them.
awaitable<burst_result> token_burst(ivschat::client& chat, const std::string& room_arn, int calls) {
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
                auto [ec, token] = co_await chat.create_chat_token(request, diag, use_tuple);
                if (ec) ++result.failures;
                result.pacing_time += diag.pacing_time;
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
        auto burst = co_await token_burst(chat, room, 30);
        CHECK(burst.failures == 0);
        CHECK(burst.elapsed >= 1400ms - 20ms);
        // Callers 3..30 waited 0.05 s .. 1.4 s: about 20 s in all.
        CHECK(burst.pacing_time >= 19s);
    });
}

TEST_CASE("pacing: off by default for a custom endpoint, on when asked", "[client][emulator][pacing]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client unpaced{f.ioc.get_executor(), f.options()};
        const auto room = co_await make_room(unpaced);
        // The documented 5 TPS of CreateRoom would hold these back.
        for (int i = 0; i < 10; ++i) co_await make_room(unpaced);
        auto burst = co_await token_burst(unpaced, room, 50);
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
        auto a = asio::co_spawn(co_await asio::this_coro::executor, token_burst(first, room, 15), asio::use_awaitable);
        auto b = co_await token_burst(second, room, 15);
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
