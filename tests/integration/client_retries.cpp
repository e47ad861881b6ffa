// Retries against the emulator's fault injection over real sockets.
#include "support/emulator_fixture.hpp"
#include <ivschat/retry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::emulator::fault_kind;
using ivschat::test::emulator_fixture;
using namespace std::chrono_literals;

// Retries wait the SDKs' backoff; a small base keeps the tests quick.
std::shared_ptr<ivschat::retry_strategy> quick_retries(int max_attempts) {
    return ivschat::make_retry_strategy({.max_attempts = max_attempts, .base_delay = 1ms, .throttling_base_delay = 1ms});
}

}  // namespace

TEST_CASE("503 then success: two attempts", "[client][retry]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        ivschat::client chat{f.ioc.get_executor(), options};
        f.server.faults().enqueue({fault_kind::service_unavailable});
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(diag.attempts.size() == 2);
        CHECK(diag.attempts[0].http_status == 503);
        CHECK(room.arn);
    });
}

TEST_CASE("a reset mid-exchange then success", "[client][retry]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        ivschat::client chat{f.ioc.get_executor(), options};
        f.server.faults().enqueue({fault_kind::reset});
        f.server.faults().enqueue({fault_kind::truncate_body});
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(diag.attempts.size() == 3);
        CHECK(room.arn);
    });
}

TEST_CASE("throttling until attempts run out surfaces the service's error", "[client][retry]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        ivschat::client chat{f.ioc.get_executor(), options};
        for (int i = 0; i < 3; ++i) f.server.faults().enqueue({fault_kind::throttle});
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::throttling);
        CHECK(diag.attempts.size() == 3);
        CHECK(diag.error.error_type == "ThrottlingException");
        CHECK(diag.error.http_status == 429);
    });
}

TEST_CASE("a service validation error is attempted exactly once", "[client][retry]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.validate_requests = false;
        ivschat::client chat{f.ioc.get_executor(), options};
        ivschat::diagnostics diag;
        const ivschat::create_room_request invalid{.maximum_message_length = 0};
        auto [ec, room] = co_await chat.create_room(invalid, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::validation_exception);
        CHECK(diag.attempts.size() == 1);
    });
}

TEST_CASE("a slow response past the attempt timeout is retried; past the call timeout it fails", "[client][retry]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        options.attempt_timeout = 200ms;
        ivschat::client chat{f.ioc.get_executor(), options};
        f.server.faults().enqueue({fault_kind::delay, 1000ms});
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(diag.attempts.size() == 2);
        CHECK(diag.attempts[0].error == ivschat::error::timeout);

        // 300 ms for the call: the first attempt gets 200 ms, the second what
        // is left (at most 100 ms), a third none. Without the call's deadline
        // all three attempts would be made.
        options.call_timeout = 300ms;
        ivschat::client bounded{f.ioc.get_executor(), options};
        for (int i = 0; i < 3; ++i) f.server.faults().enqueue({fault_kind::delay, 1000ms});
        auto [timed_out, ignored] = co_await bounded.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(timed_out == ivschat::error::timeout);
        CHECK(diag.attempts.size() < 3);
    });
}

TEST_CASE("a full 503 outage: the retry quota caps the extra requests", "[client][retry]") {
    emulator_fixture f({.tls = true, .random_faults = {{{fault_kind::service_unavailable}, 1.0}}});
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        ivschat::client chat{f.ioc.get_executor(), options};
        constexpr int calls = 300;
        int attempts = 0;
        for (int i = 0; i < calls; ++i) {
            ivschat::diagnostics diag;
            const ivschat::create_room_request create{};
            auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ivschat::error::unknown_service_error);
            attempts += static_cast<int>(diag.attempts.size());
        }
        // 500 tokens at 14 per retry: 35 retries, then none (docs/retries.md).
        const double ratio = static_cast<double>(attempts) / calls;
        INFO("requests sent per call: " << ratio);
        CHECK(attempts == calls + 35);
        CHECK(ratio < 1.2);
    });
}

// The server's clock 30 minutes ahead (the emulator allows 15): the first
// attempt is refused as a stale signature, the client takes the offset from
// the Date header and the retry, signed on the corrected clock, succeeds;
// later calls are signed right the first time.
TEST_CASE("clock skew reported by the service is corrected and the call retried", "[client][retry]") {
    const auto offset = GENERATE(std::chrono::seconds(30min), -std::chrono::seconds(30min));
    CAPTURE(offset.count());
    emulator_fixture f({.tls = true, .clock_offset = offset});
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries(3);
        ivschat::client chat{f.ioc.get_executor(), options};
        const ivschat::create_room_request create{};
        ivschat::diagnostics diag;
        auto [ec, room] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        REQUIRE(diag.attempts.size() == 2);
        CHECK(diag.attempts[0].http_status == 403);
        auto [again_ec, again] = co_await chat.create_room(create, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(again_ec);
        CHECK(diag.attempts.size() == 1);
    });
}

// Sustained throttling of every request, one attempt per call, 16 callers
// for 1.5 s: the standard strategy sends as fast as answers come back; the
// adaptive one's rate limiter (docs/retries.md) slows sending down. At 1.5 s
// the calls still waiting for the limiter are cancelled (at its floor of 0.5
// sends a second, 16 callers would otherwise idle for half a minute).
TEST_CASE("adaptive mode slows its send rate under sustained throttling", "[client][retry]") {
    int other_outcomes = 0;
    const auto requests_sent = [&](ivschat::retry_mode mode) {
        emulator_fixture f({.tls = true, .random_faults = {{{fault_kind::throttle}, 1.0}}});
        f.run([&]() -> awaitable<void> {
            auto options = f.options();
            options.retry_strategy = ivschat::make_retry_strategy({.mode = mode, .max_attempts = 1});
            ivschat::client chat{f.ioc.get_executor(), options};
            const auto until = std::chrono::steady_clock::now() + 1500ms;
            int running = 16;
            asio::steady_timer all_done(f.ioc, asio::steady_timer::time_point::max());
            std::array<asio::cancellation_signal, 16> stop;
            asio::steady_timer stop_at(f.ioc, until);
            stop_at.async_wait([&](boost::system::error_code) {
                for (auto& signal : stop) signal.emit(asio::cancellation_type::terminal);
            });
            for (int i = 0; i < 16; ++i) {
                asio::co_spawn(
                    f.ioc,
                    [&, &signal = stop[static_cast<std::size_t>(i)]]() -> awaitable<void> {
                        const ivschat::create_room_request create{};
                        while (std::chrono::steady_clock::now() < until) {
                            ivschat::diagnostics diag;
                            auto [ec, room] = co_await chat.create_room(
                                create, diag,
                                asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
                            if (ec != ivschat::error::throttling && ec != asio::error::operation_aborted)
                                ++other_outcomes;
                        }
                    },
                    [&](std::exception_ptr) {
                        if (--running == 0) all_done.cancel();
                    });
            }
            co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        });
        return f.server.faults().applied(fault_kind::throttle);
    };
    const auto standard = requests_sent(ivschat::retry_mode::standard);
    const auto adaptive = requests_sent(ivschat::retry_mode::adaptive);
    INFO("requests in 1.5 s: standard " << standard << ", adaptive " << adaptive);
    CHECK(other_outcomes == 0);
    CHECK(standard > 200);
    CHECK(adaptive * 10 < standard);
}
