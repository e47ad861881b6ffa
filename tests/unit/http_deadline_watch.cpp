// The transport's deadline watch on a real io_context and its real timer.
#include "ivschat/http/deadline_watch.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ivschat::http::deadline_watch;
using clock_type = deadline_watch::clock;

struct operation : deadline_watch::entry {
    void on_expired() noexcept override { expired_at = clock_type::now(); }
    std::optional<clock_type::time_point> expired_at;
};

}  // namespace

TEST_CASE("deadline_watch: an operation past its deadline is ended, not before") {
    asio::io_context ioc;
    deadline_watch watch(ioc.get_executor());
    operation slow;
    const auto started = clock_type::now();
    watch.start(slow, 50ms);
    ioc.run_for(5s);
    REQUIRE(slow.expired_at);
    CHECK(slow.expired());
    CHECK(*slow.expired_at - started >= 50ms);
    watch.finish(slow);
}

TEST_CASE("deadline_watch: operations that finish in time are never ended and leave no wait behind") {
    asio::io_context ioc;
    deadline_watch watch(ioc.get_executor());
    std::vector<operation> operations(8);
    for (auto& op : operations) watch.start(op, 10s);
    asio::steady_timer work(ioc, 20ms);
    work.async_wait([&](boost::system::error_code) {
        for (auto& op : operations) watch.finish(op);
    });
    // run() returns once the work is done: the watch's wait does not keep
    // the io_context busy for the 10 s deadlines.
    const auto started = clock_type::now();
    ioc.run_for(5s);
    CHECK(ioc.stopped());
    CHECK(clock_type::now() - started < 5s);
    for (auto& op : operations) {
        CHECK_FALSE(op.expired());
        CHECK_FALSE(op.expired_at);
    }
}

TEST_CASE("deadline_watch: operations back to back keep one wait") {
    asio::io_context ioc;
    deadline_watch watch(ioc.get_executor());
    operation busy, other;
    watch.start(other, 10s);  // keeps the watch busy throughout, as calls in flight do
    for (int i = 0; i < 1000; ++i) {
        watch.start(busy, 10s);
        watch.finish(busy);
    }
    CHECK(watch.timer_starts() == 1);
    watch.finish(other);
    ioc.run_for(5s);
    CHECK(ioc.stopped());
    CHECK_FALSE(busy.expired());
}

TEST_CASE("deadline_watch: staggered deadlines end each operation at its own time") {
    asio::io_context ioc;
    deadline_watch watch(ioc.get_executor());
    operation first, second, finished_in_time;
    const auto started = clock_type::now();
    watch.start(second, 120ms);
    watch.start(first, 40ms);  // earlier than the armed wait: the watch re-arms
    watch.start(finished_in_time, 80ms);
    asio::steady_timer work(ioc, 60ms);
    work.async_wait([&](boost::system::error_code) { watch.finish(finished_in_time); });
    ioc.run_for(5s);
    REQUIRE(first.expired_at);
    REQUIRE(second.expired_at);
    CHECK(*first.expired_at - started >= 40ms);
    CHECK(*second.expired_at - started >= 120ms);
    CHECK(*first.expired_at < *second.expired_at);
    CHECK_FALSE(finished_in_time.expired());
}

TEST_CASE("deadline_watch: a watch destroyed with a wait pending calls no one") {
    asio::io_context ioc;
    operation op;
    {
        deadline_watch watch(ioc.get_executor());
        watch.start(op, 20ms);
    }
    // The cancelled wait's handler runs here, after the watch is gone.
    ioc.run_for(1s);
    CHECK(ioc.stopped());
    CHECK_FALSE(op.expired_at);
}

TEST_CASE("deadline_watch: an operation restarted after expiring gets a fresh deadline") {
    asio::io_context ioc;
    deadline_watch watch(ioc.get_executor());
    operation op;
    watch.start(op, 10ms);
    ioc.run_for(5s);
    REQUIRE(op.expired());
    ioc.restart();
    op.expired_at.reset();
    watch.start(op, 10s);
    CHECK_FALSE(op.expired());
    watch.finish(op);
    ioc.run_for(5s);
    CHECK_FALSE(op.expired_at);
}
