// Every kind of completion token, cancellation, and the client's life cycle.
#include "support/emulator_fixture.hpp"
#include <ivschat/retry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <thread>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::emulator::fault_kind;
using ivschat::test::emulator_fixture;

// The fixture's client options, on a strand or not.
ivschat::client_options options_for(const emulator_fixture& f, bool thread_safe) {
    auto options = f.options();
    options.pool.thread_safe = thread_safe;
    return options;
}

}  // namespace

constexpr std::string_view missing_room = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA";

TEST_CASE("a plain callback gets an error code and the response", "[client][tokens]") {
    emulator_fixture f;
    ivschat::client chat{f.ioc.get_executor(), f.options()};
    std::optional<ivschat::create_room_response> room;
    chat.create_room({.name = "callback"}, [&](boost::system::error_code ec, ivschat::create_room_response r) {
        CHECK_FALSE(ec);
        room = std::move(r);
        chat.get_room({.identifier = std::string(missing_room)},
                      [&](boost::system::error_code missing, ivschat::get_room_response) {
                          CHECK(missing == ivschat::error::resource_not_found);
                          CHECK(missing == ivschat::condition::not_found);
                          f.server.stop();
                      });
    });
    f.ioc.run();
    REQUIRE(room);
    CHECK(room->name == "callback");
}

TEST_CASE("a callback with diagnostics gets an error code", "[client][tokens]") {
    emulator_fixture f;
    ivschat::client chat{f.ioc.get_executor(), f.options()};
    ivschat::diagnostics diag;
    boost::system::error_code result;
    chat.get_room({.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"}, diag,
                  [&](boost::system::error_code ec, ivschat::get_room_response) {
                      result = ec;
                      f.server.stop();
                  });
    f.ioc.run();
    CHECK(result == ivschat::error::resource_not_found);
    CHECK(diag.error.http_status == 404);
}

TEST_CASE("use_future from another thread", "[client][tokens]") {
    emulator_fixture f;
    auto work = asio::make_work_guard(f.ioc);
    std::thread runner([&] { f.ioc.run(); });
    {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        auto room = chat.create_room({.name = "future"}, asio::use_future).get();
        CHECK(room.name == "future");
        auto missing = chat.get_room({.identifier = std::string(missing_room)}, asio::use_future);
        // use_future makes the exception itself, from the code alone.
        try {
            missing.get();
            FAIL("a missing room was found");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == ivschat::error::resource_not_found);
        }
    }
    asio::post(f.ioc, [&] { f.server.stop(); });
    work.reset();
    runner.join();
}

// Without thread safety a coroutine on the io_context runs on the client's
// executor and awaits calls inline; with it each call is spawned on the strand.
TEST_CASE("deferred and as_tuple", "[client][tokens]") {
    const bool thread_safe = GENERATE(true, false);
    CAPTURE(thread_safe);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), options_for(f, thread_safe)};
        const ivschat::create_room_request later{.name = "deferred"};
        auto op = chat.create_room(later, asio::deferred);
        auto room = co_await std::move(op)(asio::use_awaitable);
        CHECK(room.name == "deferred");

        const ivschat::get_room_request missing{.identifier = std::string(missing_room)};
        auto deferred_missing = chat.get_room(missing, asio::deferred);
        auto [deferred_ec, nothing] = co_await std::move(deferred_missing)(asio::as_tuple(asio::use_awaitable));
        CHECK(deferred_ec == ivschat::error::resource_not_found);

        auto [failure, ignored] = co_await chat.get_room(missing, asio::as_tuple(asio::use_awaitable));
        CHECK(failure == ivschat::error::resource_not_found);

        ivschat::diagnostics diag;
        auto [ec, not_there] = co_await chat.get_room(missing, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::resource_not_found);
        CHECK(diag.error.http_status == 404);

        // The default token throws one type, with the diagnostics, in both forms.
        for (const bool with_diag : {false, true}) {
            CAPTURE(with_diag);
            diag.clear();
            try {
                auto op = with_diag ? chat.get_room(missing, diag) : chat.get_room(missing);
                co_await std::move(op);
                FAIL("a missing room was found");
            } catch (const ivschat::error_with_diagnostics& e) {
                CHECK(e.code() == ivschat::error::resource_not_found);
                CHECK(e.diagnostics().error.http_status == 404);
                CHECK(e.diagnostics().error.resource_type == "ROOM");
                CHECK_FALSE(e.diagnostics().request_id.empty());
                CHECK(std::string_view(e.what()).find(e.diagnostics().error.message) != std::string_view::npos);
                CHECK(diag.request_id == (with_diag ? e.diagnostics().request_id : ""));
            }
        }
        // The calls leave this coroutine's cancellation behaviour as it was.
        CHECK(co_await asio::this_coro::throw_if_cancelled());
    });
}

TEST_CASE("a timer racing a slow call cancels it with operation_aborted", "[client][cancel]") {
    const bool thread_safe = GENERATE(true, false);
    CAPTURE(thread_safe);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        ivschat::client chat{f.ioc.get_executor(), options_for(f, thread_safe)};
        const ivschat::create_room_request first{};
        auto room = co_await chat.create_room(first);

        // The response would come after 60 s: a race that waits for it instead
        // of cancelling the call is caught by a bound far from any scheduling noise.
        f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(60'000)});
        asio::steady_timer timer(f.ioc, std::chrono::milliseconds(50));
        const ivschat::get_room_request get{.identifier = *room.arn};
        const auto started = std::chrono::steady_clock::now();
        auto winner = co_await (chat.get_room(get) || timer.async_wait(asio::use_awaitable));
        CHECK(winner.index() == 1);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));

        // The pool is consistent: the next call works.
        auto again = co_await chat.get_room(get);
        CHECK(again.id == room.id);
    });
}

// Cancellation with the default token throws the one exception type, which
// a catch of boost::system::system_error or std::exception sees too.
TEST_CASE("a cancelled coroutine call throws error_with_diagnostics with operation_aborted", "[client][cancel]") {
    const bool thread_safe = GENERATE(true, false);
    CAPTURE(thread_safe);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), options_for(f, thread_safe)};
        f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(60'000)});
        asio::cancellation_signal cancel;
        std::optional<boost::system::error_code> caught;
        std::size_t attempts = 0;
        asio::co_spawn(
            f.ioc,
            [&]() -> awaitable<void> {
                try {
                    co_await chat.create_room({});
                } catch (const boost::system::system_error& e) {
                    caught = e.code();
                    const auto* ours = dynamic_cast<const ivschat::error_with_diagnostics*>(&e);
                    REQUIRE(ours);
                    attempts = ours->diagnostics().attempts.size();
                }
            },
            asio::bind_cancellation_slot(cancel.slot(), asio::detached));
        asio::steady_timer timer(f.ioc, std::chrono::milliseconds(200));
        co_await timer.async_wait(asio::use_awaitable);
        cancel.emit(asio::cancellation_type::terminal);
        for (int i = 0; i < 2000 && !caught; ++i) {
            timer.expires_after(std::chrono::milliseconds(5));
            co_await timer.async_wait(asio::use_awaitable);
        }
        REQUIRE(caught);
        CHECK(*caught == asio::error::operation_aborted);
        CHECK(attempts == 1);
    });
}

// A transport failure (here the call's deadline) reaches every form the same
// way: the code, its condition, and the diagnostics.
TEST_CASE("a timed-out call: one code, its conditions, the diagnostics", "[client][tokens]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.call_timeout = std::chrono::milliseconds(300);
        ivschat::client chat{f.ioc.get_executor(), options};
        f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(60'000)});
        f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(60'000)});
        ivschat::diagnostics diag;
        auto [ec, ignored] = co_await chat.create_room({}, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::timeout);
        CHECK(ec == ivschat::condition::timeout);
        CHECK(ec == ivschat::condition::transient);
        CHECK_FALSE(diag.attempts.empty());
        CHECK(diag.error == ivschat::service_error_info{});
        try {
            co_await chat.create_room({});
            FAIL("the call did not time out");
        } catch (const ivschat::error_with_diagnostics& e) {
            CHECK(e.code() == ivschat::condition::timeout);
            CHECK_FALSE(e.diagnostics().attempts.empty());
            CHECK_FALSE(e.diagnostics().client_message.empty());
        }
    });
}

TEST_CASE("a cancellation slot cancels a call in its backoff wait", "[client][cancel]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        // A fixed 60 s backoff (jitter pinned to 1): the cancellation lands in it.
        options.retry_strategy = ivschat::make_retry_strategy(
            {.max_attempts = 5, .throttling_base_delay = std::chrono::seconds(60), .max_backoff = std::chrono::seconds(60), .jitter = [] { return 1.0; }});
        ivschat::client chat{f.ioc.get_executor(), options};
        for (int i = 0; i < 5; ++i) f.server.faults().enqueue({fault_kind::throttle});
        asio::cancellation_signal cancel;
        ivschat::diagnostics diag;
        boost::system::error_code result;
        bool done = false;
        chat.create_room({}, diag,
                         asio::bind_cancellation_slot(cancel.slot(), [&](boost::system::error_code ec,
                                                                         ivschat::create_room_response) {
                             result = ec;
                             done = true;
                         }));
        asio::steady_timer timer(f.ioc, std::chrono::milliseconds(300));
        co_await timer.async_wait(asio::use_awaitable);
        cancel.emit(asio::cancellation_type::terminal);
        for (int i = 0; i < 2000 && !done; ++i) {
            timer.expires_after(std::chrono::milliseconds(5));
            co_await timer.async_wait(asio::use_awaitable);
        }
        REQUIRE(done);
        CHECK(result == asio::error::operation_aborted);
        CHECK(diag.attempts.size() == 1);
    });
}

TEST_CASE("closing the client fails new calls and closes the pool", "[client]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        const ivschat::create_room_request first{};
        co_await chat.create_room(first);
        chat.close();
        ivschat::diagnostics diag;
        auto [ec, ignored] = co_await chat.create_room(first, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == asio::error::operation_aborted);
    });
}

TEST_CASE("a moved-from client can be closed, assigned to and destroyed", "[client]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        ivschat::client taken{std::move(chat)};
        chat.close();
        ivschat::client assigned{f.ioc.get_executor(), f.options()};
        const ivschat::create_room_request first{};
        co_await assigned.create_room(first);
        assigned = std::move(taken);
        taken.close();
        auto room = co_await assigned.create_room(first);
        CHECK(room.arn.has_value());
        chat = std::move(assigned);
        auto again = co_await chat.create_room(first);
        CHECK(again.arn.has_value());
    });
}

// close() and the destructor end calls in flight at once, in an exchange (a
// response delayed 60 s) or in a backoff wait (60 s), with operation_aborted;
// the bounds are far from scheduling noise and far below what a missed
// cancellation would take.
TEST_CASE("closing or destroying the client aborts calls in flight", "[client]") {
    const bool in_backoff = GENERATE(false, true);
    const bool destroy = GENERATE(false, true);
    CAPTURE(in_backoff, destroy);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = ivschat::make_retry_strategy(
            {.max_attempts = 3, .throttling_base_delay = std::chrono::seconds(60), .max_backoff = std::chrono::seconds(60), .jitter = [] { return 1.0; }});
        auto chat = std::make_unique<ivschat::client>(f.ioc.get_executor(), options);
        if (in_backoff) {
            f.server.faults().enqueue({fault_kind::throttle});
        } else {
            f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(60'000)});
        }
        ivschat::diagnostics diag;
        boost::system::error_code result;
        bool done = false;
        chat->create_room({}, diag, [&](boost::system::error_code ec, ivschat::create_room_response) {
            result = ec;
            done = true;
        });
        asio::steady_timer timer(f.ioc, std::chrono::milliseconds(200));
        co_await timer.async_wait(asio::use_awaitable);
        REQUIRE_FALSE(done);
        const auto closed_at = std::chrono::steady_clock::now();
        if (destroy) {
            chat.reset();
        } else {
            chat->close();
        }
        for (int i = 0; i < 2000 && !done; ++i) {
            timer.expires_after(std::chrono::milliseconds(5));
            co_await timer.async_wait(asio::use_awaitable);
        }
        REQUIRE(done);
        CHECK(std::chrono::steady_clock::now() - closed_at < std::chrono::seconds(30));
        CHECK(result == asio::error::operation_aborted);
        CHECK(diag.attempts.size() == 1);
    });
}
