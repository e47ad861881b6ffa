// The adaptive mode: the CUBIC rate limiter's rules one by one, then a
// simulated service that throttles above a fixed rate, driven by many
// concurrent calls on an injected clock.
#include <ivschat/retry.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <queue>
#include <random>
#include <vector>

using namespace ivschat;
using namespace std::chrono_literals;

namespace {

// Seconds on a fake steady clock that the test moves by hand.
struct manual_clock {
    double now = 1000.0;
    std::function<std::chrono::steady_clock::time_point()> function() {
        return [this] {
            return std::chrono::steady_clock::time_point(
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(now)));
        };
    }
};

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// `count` successful responses, `interval` seconds apart.
void respond_steadily(client_rate_limiter& limiter, manual_clock& clock, int count, double interval) {
    for (int i = 0; i < count; ++i) {
        limiter.on_response(false);
        clock.now += interval;
    }
}

}  // namespace

TEST_CASE("the limiter is off until the first throttling response", "[retry][adaptive]") {
    manual_clock clock;
    client_rate_limiter limiter({}, clock.function());
    bool reserved = false;
    for (int i = 0; i < 1000; ++i) {
        CHECK(limiter.acquire(reserved) == 0ns);
        limiter.on_response(false);
        clock.now += 0.001;
    }
    CHECK_FALSE(limiter.state().enabled);
}

TEST_CASE("a throttling response cuts the rate to beta * the measured rate", "[retry][adaptive]") {
    manual_clock clock;
    client_rate_limiter limiter({}, clock.function());
    // 10 responses per second for 3 s: the smoothed measured rate approaches 10/s.
    respond_steadily(limiter, clock, 30, 0.1);
    double measured = limiter.state().measured_rate;
    CHECK(measured == Approx(10.0).epsilon(0.05));
    limiter.on_response(true);
    auto s = limiter.state();
    CHECK(s.enabled);
    CHECK(s.fill_rate == Approx(0.7 * s.measured_rate));
    CHECK(s.last_max_rate == Approx(s.measured_rate));
    CHECK(s.max_capacity == Approx(s.fill_rate));
}

TEST_CASE("once enabled, sends are spaced at the fill rate, in order", "[retry][adaptive]") {
    manual_clock clock;
    client_rate_limiter limiter({}, clock.function());
    respond_steadily(limiter, clock, 30, 0.1);
    limiter.on_response(true);
    double rate = limiter.state().fill_rate;
    REQUIRE(rate > 1.0);
    // What the bucket holds goes without waiting, at most its capacity...
    int free_sends = 0;
    bool reserved = false;
    auto first_wait = limiter.acquire(reserved);
    for (; first_wait == 0ns; first_wait = limiter.acquire(reserved)) REQUIRE(++free_sends <= 100);
    CHECK(free_sends <= std::ceil(limiter.state().max_capacity));
    REQUIRE(reserved);
    // ...then each concurrent caller reserves a token one 1/rate after the
    // one before, while its turn is within the 1 s horizon; the callers after
    // them are told to ask again in 1 s.
    int reserved_callers = 1;
    int told_to_ask_again = 0;
    for (int i = 0; i < 20; ++i) {
        bool r = false;
        auto wait = seconds(limiter.acquire(r));
        if (r) {
            CHECK(wait == Approx(seconds(first_wait) + reserved_callers / rate));
            ++reserved_callers;
        } else {
            CHECK(wait == Approx(1.0));
            ++told_to_ask_again;
        }
    }
    CHECK(seconds(first_wait) + (reserved_callers - 1) / rate <= 1.0);
    CHECK(seconds(first_wait) + reserved_callers / rate > 1.0);
    CHECK(told_to_ask_again > 0);
    // A caller that holds a reservation sends when it asks again, at no cost.
    bool holder = true;
    double before = limiter.state().current_capacity;
    CHECK(limiter.acquire(holder) == 0ns);
    CHECK_FALSE(holder);
    CHECK(limiter.state().current_capacity == before);
    // Time passes, the reserved tokens are paid back and the next send is free again.
    clock.now += 2.0;
    bool fresh = false;
    CHECK(limiter.acquire(fresh) == 0ns);
    CHECK_FALSE(fresh);
}

TEST_CASE("the rate never falls below the minimum fill rate", "[retry][adaptive]") {
    manual_clock clock;
    client_rate_limiter limiter({}, clock.function());
    for (int i = 0; i < 10; ++i) limiter.on_response(true);  // measured rate 0: rate 0
    auto s = limiter.state();
    CHECK(s.fill_rate == 0.5);
    CHECK(s.max_capacity == 1.0);
    bool reserved = false;
    // The first token is 2 s away, past the 1 s horizon: ask again in 1 s.
    CHECK(seconds(limiter.acquire(reserved)) == Approx(1.0));
    CHECK_FALSE(reserved);
    clock.now += 1.0;
    CHECK(seconds(limiter.acquire(reserved)) == Approx(1.0));
    CHECK(reserved);
}

TEST_CASE("after throttling, successes regrow the rate along the cubic curve", "[retry][adaptive]") {
    manual_clock clock;
    adaptive_options o;
    o.max_rate_over_measured = 1e9;  // isolate the cubic term from the measured-rate cap
    client_rate_limiter limiter(o, clock.function());
    respond_steadily(limiter, clock, 50, 0.02);  // 50 responses/s
    limiter.on_response(true);
    double w_max = limiter.state().last_max_rate;
    double k = std::cbrt(w_max * (1 - 0.7) / 0.4);
    double throttle_time = clock.now;
    for (double dt : {0.5 * k, k, 1.5 * k, 2 * k}) {
        clock.now = throttle_time + dt;
        limiter.on_response(false);
        INFO("dt = " << dt);
        CHECK(limiter.state().fill_rate == Approx(std::max(0.4 * std::pow(dt - k, 3) + w_max, 0.5)));
    }
    // At t = K the rate is back at the rate that was throttled, past it after.
    CHECK(limiter.state().fill_rate > w_max);
}

TEST_CASE("a rate cut keeps the reserved sends' schedule, not their count", "[retry][adaptive]") {
    manual_clock clock;
    client_rate_limiter limiter({}, clock.function());
    respond_steadily(limiter, clock, 100, 0.01);  // ~100 responses/s
    limiter.on_response(true);                    // throttled: rate ~70/s, on
    double rate = limiter.state().fill_rate;
    REQUIRE(rate > 50);
    // Reserve a second of sends.
    double last_reserved_wait = 0;
    for (bool r = true; r;) {
        r = false;
        auto wait = seconds(limiter.acquire(r));
        if (r) last_reserved_wait = wait;
    }
    REQUIRE(last_reserved_wait > 0.9);
    // Another throttle cuts the rate by 0.7: the reserved sends still go out
    // within the second, so a new caller's turn is only 1/new_rate after
    // them, not the debt re-paid at the lower rate (1 / 0.7 times later).
    limiter.on_response(true);
    double new_rate = limiter.state().fill_rate;
    REQUIRE(new_rate < rate);
    double debt_seconds = -limiter.state().current_capacity / new_rate;
    CHECK(debt_seconds == Approx(last_reserved_wait).epsilon(0.05));
}

TEST_CASE("callers told to ask again get the rate in force when they do", "[retry][adaptive]") {
    manual_clock clock;
    adaptive_options o;
    o.max_rate_over_measured = 1e9;  // let the cubic term alone decide the regrowth
    client_rate_limiter limiter(o, clock.function());
    limiter.on_response(true);  // nothing measured yet: the minimum rate, 0.5/s
    bool reserved = false;
    CHECK(seconds(limiter.acquire(reserved)) == Approx(1.0));  // 2 s away: ask again in 1 s
    CHECK_FALSE(reserved);
    // Meanwhile a success regrows the rate along the cubic curve, 0.4 * t^3.
    clock.now += 1.5;
    limiter.on_response(false);
    double rate = limiter.state().fill_rate;
    CHECK(rate == Approx(0.4 * 1.5 * 1.5 * 1.5));
    // 0.75 tokens refilled at 0.5/s; the missing quarter comes at the new rate.
    CHECK(seconds(limiter.acquire(reserved)) == Approx(0.25 / rate));
    CHECK(reserved);
    CHECK(0.25 / rate < 0.25 / 0.5);
}

TEST_CASE("the adaptive strategy counts an attempt only when it may be sent", "[retry][adaptive]") {
    manual_clock clock;
    adaptive_retry_strategy strategy{
        {.mode = retry_mode::adaptive, .jitter = [] { return 1.0; }, .clock = clock.function()}};
    auto throttled = attempt_outcome::service_failure(429, "ThrottlingException");
    retry_call_state call;
    REQUIRE(strategy.before_attempt(call) == 0ns);  // off: no wait
    auto decision = strategy.on_attempt_result(call, throttled);
    CHECK(decision.retry);
    CHECK(decision.delay == 1s);  // the standard decision, throttling base delay
    CHECK(strategy.quota().available() == 495);
    CHECK(strategy.rate_limiter().state().enabled);
    // The limiter now holds sends back: wait, ask again, then send.
    int asks = 0;
    for (std::chrono::nanoseconds wait; (wait = strategy.before_attempt(call)) > 0ns; clock.now += seconds(wait))
        REQUIRE(++asks < 10);
    CHECK(asks > 0);
    CHECK(call.attempts == 2);
    CHECK(call.total_send_delay > 0ns);
    CHECK_FALSE(call.send_token_reserved);
    CHECK(strategy.on_attempt_result(call, attempt_outcome::success()).reason == retry_reason::succeeded);
    CHECK(strategy.quota().available() == 500);
}

namespace {

// A service that allows `rate` requests per second (a token bucket holding
// `burst` seconds of it) and answers 429 ThrottlingException above it, `latency` after each
// send; `workers` calls at a time, each starting the next call at once.
struct simulation {
    double rate = 100;
    double burst = 0.1;  // seconds of the rate
    double latency = 0.02;
    int workers = 50;

    manual_clock clock{};
    double server_tokens = 0;
    double server_last = 0;
    std::vector<double> sends{};
    std::vector<double> throttles{};

    bool server_admits() {
        server_tokens = std::min(std::max(1.0, rate * burst), server_tokens + (clock.now - server_last) * rate);
        server_last = clock.now;
        if (server_tokens < 1) return false;
        server_tokens -= 1;
        return true;
    }

    // Runs until `end` (seconds after the start); the service allows
    // `rate_at(t)` requests per second at t seconds after the start.
    void run(retry_strategy& strategy, double end, const std::function<double(double)>& rate_at) {
        enum kind { start_attempt, send, response };
        struct event {
            double time;
            int worker;
            kind what;
            bool admitted;
            bool operator>(const event& o) const { return time > o.time; }
        };
        double start = clock.now;
        server_last = start;
        server_tokens = rate_at(0) * burst;
        std::priority_queue<event, std::vector<event>, std::greater<>> events;
        std::vector<retry_call_state> calls(static_cast<std::size_t>(workers));
        for (int w = 0; w < workers; ++w) events.push({start, w, start_attempt, false});
        while (!events.empty() && events.top().time < start + end) {
            auto e = events.top();
            events.pop();
            clock.now = e.time;
            rate = rate_at(clock.now - start);
            auto& call = calls[static_cast<std::size_t>(e.worker)];
            switch (e.what) {
            case start_attempt: {
                auto wait = strategy.before_attempt(call);
                events.push({clock.now + seconds(wait), e.worker, wait > 0ns ? start_attempt : send, false});
                break;
            }
            case send:
                sends.push_back(clock.now - start);
                events.push({clock.now + latency, e.worker, response, server_admits()});
                break;
            case response: {
                if (!e.admitted) throttles.push_back(clock.now - start);
                auto decision = strategy.on_attempt_result(
                    call, e.admitted ? attempt_outcome::success()
                                     : attempt_outcome::service_failure(429, "ThrottlingException"));
                if (!decision.retry) call = {};
                events.push({clock.now + seconds(decision.delay), e.worker, start_attempt, false});
                break;
            }
            }
        }
    }

    static double per_second(const std::vector<double>& times, double from, double to) {
        return static_cast<double>(std::count_if(times.begin(), times.end(),
                                                 [&](double t) { return t >= from && t < to; })) /
               (to - from);
    }
};

retry_options simulated(retry_mode mode, manual_clock& clock) {
    auto generator = std::make_shared<std::mt19937_64>(42);
    return {.mode = mode,
            .jitter = [generator] { return std::uniform_real_distribution<double>{0, 1}(*generator); },
            .clock = clock.function()};
}

}  // namespace

// Measured on the simulated clock: 50 concurrent calls, 20 ms per exchange
// (2500 requests/s when nothing holds them back), against a service that
// allows 100 requests/s from t = 10 s to t = 40 s and everything otherwise.
// From t = 12 s to 40 s standard mode keeps sending 1942 requests/s into the
// throttling, 95% of them throttled; adaptive mode sends 25 requests/s, 5.5%
// throttled: a CUBIC sawtooth below the service's 100/s, low because every
// throttled response of a burst cuts the rate by beta again, as in the SDKs.
// It is back at 2500/s within 10 s once the throttling ends.
TEST_CASE("adaptive mode slows its send rate under sustained throttling and recovers", "[retry][adaptive]") {
    auto rate_at = [](double t) { return t >= 10 && t < 40 ? 100.0 : 1e9; };
    simulation standard_run;
    auto standard = make_retry_strategy(simulated(retry_mode::standard, standard_run.clock));
    standard_run.run(*standard, 70, rate_at);
    simulation adaptive_run;
    auto adaptive = make_retry_strategy(simulated(retry_mode::adaptive, adaptive_run.clock));
    adaptive_run.run(*adaptive, 70, rate_at);

    auto rate = [](const std::vector<double>& times, double from, double to) {
        return simulation::per_second(times, from, to);
    };
    double standard_sends = rate(standard_run.sends, 12, 40);
    double standard_throttled = rate(standard_run.throttles, 12, 40);
    double adaptive_sends = rate(adaptive_run.sends, 12, 40);
    double adaptive_throttled = rate(adaptive_run.throttles, 12, 40);
    INFO("standard: " << standard_sends << " sends/s, " << standard_throttled << " throttled/s; adaptive: "
                      << adaptive_sends << " sends/s, " << adaptive_throttled << " throttled/s");
    // Before the throttling both send at the clients' full rate.
    CHECK(rate(standard_run.sends, 2, 10) == Approx(2500).epsilon(0.01));
    CHECK(rate(adaptive_run.sends, 2, 10) == Approx(2500).epsilon(0.01));
    // Under sustained throttling standard mode hammers the service...
    CHECK(standard_sends > 1500);
    CHECK(standard_throttled > 0.9 * standard_sends);
    // ...adaptive mode sends below what the service allows, rarely throttled, never stalled.
    CHECK(adaptive_sends < 100);
    CHECK(adaptive_sends > 5);
    CHECK(adaptive_throttled < 0.1 * adaptive_sends);
    for (double t = 12; t < 40; t += 4) CHECK(rate(adaptive_run.sends, t, t + 4) > 0);
    // It recovers once the throttling ends.
    CHECK(rate(adaptive_run.sends, 50, 70) > 2400);
    CHECK(rate(adaptive_run.throttles, 40, 70) == 0);
}
