// Every kind of completion token, cancellation, and the client's life cycle.
#include "support/emulator_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <thread>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::emulator::fault_kind;
using ivschat::test::emulator_fixture;

}  // namespace

TEST_CASE("a plain callback gets exception_ptr and the response", "[client][tokens]") {
    emulator_fixture f;
    ivschat::client chat{f.ioc.get_executor(), f.options()};
    std::optional<ivschat::create_room_response> room;
    chat.create_room({.name = "callback"}, [&](std::exception_ptr e, ivschat::create_room_response r) {
        CHECK_FALSE(e);
        room = std::move(r);
        f.server.stop();
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
        auto missing = chat.get_room({.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"},
                                     asio::use_future);
        CHECK_THROWS_AS(missing.get(), ivschat::service_exception);
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
        auto options = f.options();
        options.pool.thread_safe = thread_safe;
        ivschat::client chat{f.ioc.get_executor(), options};
        const ivschat::create_room_request later{.name = "deferred"};
        auto op = chat.create_room(later, asio::deferred);
        auto room = co_await std::move(op)(asio::use_awaitable);
        CHECK(room.name == "deferred");

        const ivschat::get_room_request missing{.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"};
        auto [failure, ignored] = co_await chat.get_room(missing, asio::as_tuple(asio::use_awaitable));
        REQUIRE(failure);
        CHECK_THROWS_AS(std::rethrow_exception(failure), ivschat::service_exception);

        ivschat::diagnostics diag;
        auto [ec, not_there] = co_await chat.get_room(missing, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::resource_not_found);
        CHECK(diag.error.http_status == 404);
        CHECK_THROWS_AS(co_await chat.get_room(missing, diag), boost::system::system_error);
        CHECK_THROWS_AS(co_await chat.get_room(missing), ivschat::service_exception);
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
        auto options = f.options();
        options.pool.thread_safe = thread_safe;
        ivschat::client chat{f.ioc.get_executor(), options};
        const ivschat::create_room_request first{};
        auto room = co_await chat.create_room(first);

        f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(2000)});
        asio::steady_timer timer(f.ioc, std::chrono::milliseconds(50));
        const ivschat::get_room_request get{.identifier = *room.arn};
        const auto started = std::chrono::steady_clock::now();
        auto winner = co_await (chat.get_room(get) || timer.async_wait(asio::use_awaitable));
        CHECK(winner.index() == 1);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));

        // The pool is consistent: the next call works.
        auto again = co_await chat.get_room(get);
        CHECK(again.id == room.id);
    });
}

TEST_CASE("a cancellation slot cancels a call in its backoff wait", "[client][cancel]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        // A fixed 10 s backoff (jitter pinned to 1): the cancellation lands in it.
        options.retry_strategy = ivschat::make_retry_strategy(
            {.max_attempts = 5, .throttling_base_delay = std::chrono::seconds(10), .jitter = [] { return 1.0; }});
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
        for (int i = 0; i < 100 && !done; ++i) {
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

// close() and the destructor end calls in flight at once, in an exchange (a
// response delayed 2 s) or in a backoff wait (10 s), with operation_aborted.
TEST_CASE("closing or destroying the client aborts calls in flight", "[client]") {
    const bool in_backoff = GENERATE(false, true);
    const bool destroy = GENERATE(false, true);
    CAPTURE(in_backoff, destroy);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = ivschat::make_retry_strategy(
            {.max_attempts = 3, .throttling_base_delay = std::chrono::seconds(10), .jitter = [] { return 1.0; }});
        auto chat = std::make_unique<ivschat::client>(f.ioc.get_executor(), options);
        if (in_backoff) {
            f.server.faults().enqueue({fault_kind::throttle});
        } else {
            f.server.faults().enqueue({fault_kind::delay, std::chrono::milliseconds(2000)});
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
        for (int i = 0; i < 100 && !done; ++i) {
            timer.expires_after(std::chrono::milliseconds(5));
            co_await timer.async_wait(asio::use_awaitable);
        }
        REQUIRE(done);
        CHECK(std::chrono::steady_clock::now() - closed_at < std::chrono::milliseconds(400));
        CHECK(result == asio::error::operation_aborted);
        CHECK(diag.attempts.size() == 1);
    });
}
