// One strategy shared by the calls of a client on several threads: the quota
// stays exact and the adaptive limiter and clock skew stay consistent (this
// file also runs under ThreadSanitizer).
#include <ivschat/retry.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using namespace ivschat;
using namespace std::chrono_literals;

namespace {

constexpr int threads = 4;

template <typename F>
void on_threads(F body) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(body, t);
    for (auto& th : pool) th.join();
}

}  // namespace

TEST_CASE("concurrent calls drain the quota exactly once", "[retry][threads]") {
    standard_retry_strategy strategy;
    std::atomic<int> sent{0};
    on_threads([&](int) {
        for (int call = 0; call < 2000; ++call) {
            retry_call_state state;
            for (;;) {
                strategy.before_attempt(state);
                sent.fetch_add(1, std::memory_order_relaxed);
                if (!strategy.on_attempt_result(state, attempt_outcome::service_failure(503, "")).retry) break;
            }
        }
    });
    // floor(500 / 14) retries in all, whatever the interleaving.
    CHECK(sent.load() == threads * 2000 + 35);
    CHECK(strategy.quota().available() == 500 - 35 * 14);
}

TEST_CASE("concurrent successes and failures keep the quota within bounds", "[retry][threads]") {
    retry_quota quota{500};
    on_threads([&](int t) {
        for (int i = 0; i < 100000; ++i) {
            if ((i + t) % 3 == 0) {
                quota.release(7);
            } else if (quota.try_acquire(5)) {
                quota.release(5);
            }
        }
    });
    CHECK(quota.available() <= 500);
    CHECK(quota.available() >= 0);
    quota.release(1000);
    CHECK(quota.available() == 500);
}

TEST_CASE("the adaptive limiter and clock skew are safe to share", "[retry][threads]") {
    // A shared fake clock that the threads move forward by each wait they are told.
    std::atomic<std::int64_t> now_ns{0};
    auto strategy = make_retry_strategy({.mode = retry_mode::adaptive,
                                         .jitter = [] { return 0.0; },
                                         .clock = [&] {
                                             return std::chrono::steady_clock::time_point(
                                                 std::chrono::nanoseconds(now_ns.load()));
                                         }});
    clock_skew skew;
    std::atomic<int> corrections{0};
    on_threads([&](int t) {
        for (int call = 0; call < 2000; ++call) {
            retry_call_state state;
            for (std::chrono::nanoseconds wait; (wait = strategy->before_attempt(state)) > 0ns;)
                now_ns.fetch_add(wait.count());
            now_ns.fetch_add(1'000'000);
            auto outcome = (call + t) % 4 == 0 ? attempt_outcome::service_failure(429, "ThrottlingException")
                                               : attempt_outcome::success();
            strategy->on_attempt_result(state, outcome);
            if (skew.on_service_error("RequestTimeTooSkewed", "Sun, 06 Nov 1994 08:49:37 GMT",
                                      std::chrono::system_clock::now()))
                corrections.fetch_add(1);
        }
    });
    auto& adaptive = dynamic_cast<adaptive_retry_strategy&>(*strategy);
    CHECK(adaptive.rate_limiter().state().enabled);
    CHECK(adaptive.rate_limiter().state().fill_rate >= 0.5);
    CHECK(corrections.load() >= 1);
    CHECK(skew.offset() < -1h);
}
