// The permit schedule, the per-operation pacer and the leased permits on an
// injected clock.
#include "ivschat/pacing/leased_permits.hpp"
#include "ivschat/pacing/operation_pacer.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace {

using ivschat::detail::operation_index;
using ivschat::detail::operation_pacer;
using ivschat::detail::permit_schedule;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

const clock_type::time_point t0 = clock_type::time_point{} + 1000s;
constexpr auto forever = clock_type::duration::max();

}  // namespace

TEST_CASE("permit schedule: a burst, then one permit per interval in order", "[pacing]") {
    permit_schedule schedule(10.0, 3.0);  // 100 ms apart, 3 at once
    std::vector<clock_type::time_point> granted;
    for (int i = 0; i < 6; ++i) granted.push_back(schedule.reserve(t0, forever).at);
    CHECK(granted[0] == t0);
    CHECK(granted[1] == t0);
    CHECK(granted[2] == t0);
    CHECK(granted[3] == t0 + 100ms);
    CHECK(granted[4] == t0 + 200ms);
    CHECK(granted[5] == t0 + 300ms);
    // After a quiet period the burst is available again, but no more than it.
    const auto later = t0 + 10s;
    CHECK(schedule.reserve(later, forever).at == later);
    CHECK(schedule.reserve(later, forever).at == later);
    CHECK(schedule.reserve(later, forever).at == later);
    CHECK(schedule.reserve(later, forever).at == later + 100ms);
}

TEST_CASE("permit schedule: a wait past max_wait reserves nothing", "[pacing]") {
    permit_schedule schedule(2.0, 1.0);  // 500 ms apart
    CHECK(schedule.reserve(t0, 0ms).at == t0);
    const auto refused = schedule.reserve(t0, 499ms);
    CHECK_FALSE(refused.granted);
    CHECK(refused.at == t0 + 500ms);
    // The refused caller took no permit: the next one is still 500 ms out.
    CHECK(schedule.reserve(t0, 500ms).at == t0 + 500ms);
    CHECK(schedule.reserve(t0, forever).at == t0 + 1000ms);
}

TEST_CASE("permit schedule: a permit given back goes to the next caller", "[pacing]") {
    permit_schedule schedule(10.0, 1.0);
    CHECK(schedule.reserve(t0, forever).at == t0);
    CHECK(schedule.reserve(t0, forever).at == t0 + 100ms);
    CHECK(schedule.reserve(t0, forever).at == t0 + 200ms);
    schedule.give_back(t0);  // the third caller was cancelled
    CHECK(schedule.reserve(t0, forever).at == t0 + 200ms);
    // Giving back while idle banks nothing beyond the burst.
    schedule.give_back(t0 + 10s);
    schedule.give_back(t0 + 10s);
    CHECK(schedule.reserve(t0 + 10s, forever).at == t0 + 10s);
    CHECK(schedule.reserve(t0 + 10s, forever).at == t0 + 10s + 100ms);
}

TEST_CASE("permit schedule: over any window, at most burst + rate x window permits", "[pacing]") {
    permit_schedule schedule(200.0, 20.0);
    std::vector<clock_type::time_point> granted;
    for (int i = 0; i < 5000; ++i) granted.push_back(schedule.reserve(t0 + std::chrono::microseconds(i * 37), forever).at);
    // FIFO: never earlier than the previous caller's permit.
    for (std::size_t i = 1; i < granted.size(); ++i) REQUIRE(granted[i] >= granted[i - 1]);
    // 5,000 permits at 200/s with a burst of 20 end 24.9 s after the first.
    const double span = std::chrono::duration<double>(granted.back() - granted.front()).count();
    CHECK(span == Approx((5000.0 - 20.0) / 200.0).margin(0.01));
    for (std::size_t i = 0; i + 220 < granted.size(); i += 97) CHECK(granted[i + 220] - granted[i] >= 1s);
}

TEST_CASE("permit schedule: bad rates and bursts are refused", "[pacing]") {
    CHECK_THROWS_AS(permit_schedule(0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(permit_schedule(-5.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(permit_schedule(std::numeric_limits<double>::infinity(), 1.0), std::invalid_argument);
    CHECK_THROWS_AS(permit_schedule(1.0, 0.5), std::invalid_argument);
    CHECK_THROWS_AS(permit_schedule(1.0, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST_CASE("documented quotas cover every operation", "[pacing]") {
    for (auto name : ivschat::detail::operation_names) {
        INFO(name);
        CHECK(ivschat::documented_quota(name).value_or(0) > 0);
    }
    CHECK(ivschat::documented_quota("CreateChatToken") == 200);
    CHECK(ivschat::documented_quota("SendEvent") == 100);
    CHECK(ivschat::documented_quota("ListRooms") == 5);
    CHECK(ivschat::documented_quota("GetLoggingConfiguration") == 3);
    CHECK(ivschat::documented_quota("TagResource") == 10);
    CHECK_FALSE(ivschat::documented_quota("Nope").has_value());
}

TEST_CASE("operation pacer: quotas, overrides and bad options", "[pacing]") {
    operation_pacer pacer({.quotas = {{"CreateChatToken", 500}}});
    CHECK(pacer.rate(operation_index("CreateChatToken")) == 500);
    CHECK(pacer.rate(operation_index("CreateRoom")) == 5);
    CHECK_THROWS_WITH(operation_pacer({.quotas = {{"CreateChatTokens", 5}}}),
                      "pacing: no operation is named 'CreateChatTokens'");
    CHECK_THROWS_WITH(operation_pacer({.quotas = {{"CreateRoom", 0}}}), "pacing: the quota of CreateRoom must be > 0");
    CHECK_THROWS_WITH(operation_pacer({.quotas = {{"CreateRoom", -1}}}), "pacing: the quota of CreateRoom must be > 0");
    CHECK_THROWS_AS(operation_pacer({.burst_seconds = 0}), std::invalid_argument);
}

TEST_CASE("operation pacer: a throttle lowers the rate, which climbs back to the quota", "[pacing]") {
    operation_pacer pacer({});
    const auto op = operation_index("CreateChatToken");
    pacer.on_throttled(op, t0);
    CHECK(pacer.rate(op) == Approx(140.0));
    pacer.on_throttled(op, t0);
    CHECK(pacer.rate(op) == Approx(98.0));
    for (int i = 0; i < 20; ++i) pacer.on_throttled(op, t0);
    CHECK(pacer.rate(op) == Approx(20.0));  // the floor: a tenth of the quota
    pacer.on_success(op, t0 + 5s);
    CHECK(pacer.rate(op) == Approx(120.0));  // 20 + 200 x 5 s / 10 s
    pacer.on_success(op, t0 + 20s);
    CHECK(pacer.rate(op) == 200.0);
    // Other operations are untouched.
    CHECK(pacer.rate(operation_index("SendEvent")) == 100.0);
}

TEST_CASE("operation pacers are shared per account key and options", "[pacing]") {
    auto a = ivschat::detail::shared_operation_pacer("us-west-2\nhost\nAKID1", {});
    auto b = ivschat::detail::shared_operation_pacer("us-west-2\nhost\nAKID1", {});
    auto other_key = ivschat::detail::shared_operation_pacer("us-west-2\nhost\nAKID2", {});
    auto other_quota = ivschat::detail::shared_operation_pacer("us-west-2\nhost\nAKID1", {.quotas = {{"GetRoom", 1}}});
    CHECK(a == b);
    CHECK(a != other_key);
    CHECK(a != other_quota);
    const auto* address = a.get();
    a.reset();
    CHECK(ivschat::detail::shared_operation_pacer("us-west-2\nhost\nAKID1", {}).get() == address);
}

TEST_CASE("leased permits: handed out in order, a late one left for the next caller", "[pacing]") {
    using ivschat::detail::leased_permits;
    leased_permits leased;
    const auto op = operation_index("CreateChatToken");
    CHECK(leased.take(op, t0, forever).result == leased_permits::outcome::empty);
    leased.add(op, {.first = t0 - 1s, .interval = 10ms, .count = 2});
    leased.add(op, {.first = t0 + 1s, .interval = 10ms, .count = 2});
    leased.add(op, {.first = t0, .interval = 10ms, .count = 0});  // nothing
    CHECK(leased.remaining(op) == 4);
    // A permit already due is usable now, not in the past.
    auto first = leased.take(op, t0, forever);
    CHECK(first.result == leased_permits::outcome::granted);
    CHECK(first.at == t0);
    CHECK(leased.take(op, t0, forever).at == t0);
    auto late = leased.take(op, t0, 500ms);
    CHECK(late.result == leased_permits::outcome::too_late);
    CHECK(late.at == t0 + 1s);
    CHECK(leased.remaining(op) == 2);
    CHECK(leased.take(op, t0, forever).at == t0 + 1s);
    CHECK(leased.take(op, t0, forever).at == t0 + 1s + 10ms);
    CHECK(leased.take(op, t0, forever).result == leased_permits::outcome::empty);
    // Other operations have their own permits; clear drops them all.
    leased.add(operation_index("SendEvent"), {.first = t0, .interval = 10ms, .count = 3});
    CHECK(leased.remaining(op) == 0);
    leased.clear();
    CHECK(leased.remaining(operation_index("SendEvent")) == 0);
}
