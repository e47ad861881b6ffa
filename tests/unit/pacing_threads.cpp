// One operation pacer shared by threads (as clients on different threads of
// one process share it): every reservation gets its own slot of the schedule.
#include "ivschat/pacing/operation_pacer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

TEST_CASE("operation pacer: threads reserving at once share one schedule", "[pacing][threads]") {
    using clock_type = std::chrono::steady_clock;
    ivschat::detail::operation_pacer pacer({.quotas = {{"CreateChatToken", 1000}}, .burst_seconds = 0.001});
    const auto op = ivschat::detail::operation_index("CreateChatToken");
    const auto t0 = clock_type::now();
    constexpr int threads = 4;
    constexpr int per_thread = 2000;
    std::vector<std::vector<clock_type::time_point>> granted(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                granted[t].push_back(pacer.reserve(op, t0, clock_type::duration::max()).at);
                if (i % 100 == 0) pacer.on_success(op, t0);
            }
        });
    }
    for (auto& w : workers) w.join();
    std::vector<clock_type::time_point> all;
    for (const auto& g : granted) {
        REQUIRE(std::is_sorted(g.begin(), g.end()));
        all.insert(all.end(), g.begin(), g.end());
    }
    std::sort(all.begin(), all.end());
    // 8,000 permits at 1,000/s with a burst of 1: exactly one per millisecond.
    for (std::size_t i = 1; i < all.size(); ++i) REQUIRE(all[i] - all[i - 1] == std::chrono::milliseconds(1));
}
