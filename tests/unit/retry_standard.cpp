// The standard retry mode: backoff, max attempts, the retry quota, and the
// strategy interface as a client drives it.
#include <ivschat/retry.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <vector>

using namespace ivschat;
using namespace std::chrono_literals;

namespace {

retry_options with_jitter(double jitter, retry_options o = {}) {
    o.jitter = [jitter] { return jitter; };
    return o;
}

// The client's loop for one call, without I/O: the server answers each
// attempt with the next outcome of `responses` (the last one repeats).
struct call_record {
    int attempts = 0;
    retry_decision last{};
    std::vector<std::chrono::nanoseconds> delays{};
};

call_record run_call(retry_strategy& strategy, const std::vector<attempt_outcome>& responses) {
    call_record record;
    retry_call_state state;
    for (std::size_t i = 0;; ++i) {
        strategy.before_attempt(state);
        ++record.attempts;
        record.last = strategy.on_attempt_result(state, responses[std::min(i, responses.size() - 1)]);
        if (!record.last.retry) return record;
        record.delays.push_back(record.last.delay);
    }
}

const attempt_outcome unavailable = attempt_outcome::service_failure(503, "ServiceUnavailableException");
const attempt_outcome throttled = attempt_outcome::service_failure(429, "ThrottlingException");
const attempt_outcome ok = attempt_outcome::success();

}  // namespace

TEST_CASE("defaults are the SDKs' standard mode with the 2026 update", "[retry][standard]") {
    retry_options o;
    CHECK(o.mode == retry_mode::standard);
    CHECK(o.max_attempts == 3);
    CHECK(o.base_delay == 50ms);
    CHECK(o.throttling_base_delay == 1s);
    CHECK(o.max_backoff == 20s);
    CHECK(o.retry_quota_capacity == 500);
    CHECK(o.retry_cost == 14);
    CHECK(o.throttling_retry_cost == 5);
    CHECK(o.no_retry_increment == 1);
}

TEST_CASE("backoff is full jitter over base * 2^(n-1), capped before the jitter", "[retry][backoff]") {
    struct case_t {
        int attempts;
        std::chrono::milliseconds base;
        double jitter;
        std::chrono::nanoseconds expected;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto c : {
             case_t{1, 50ms, 1.0, 50ms}, case_t{2, 50ms, 1.0, 100ms}, case_t{3, 50ms, 1.0, 200ms},
             case_t{3, 50ms, 0.5, 100ms}, case_t{3, 50ms, 0.0, 0ms},
             // 50 ms * 2^9 = 25.6 s > 20 s: the cap, then the jitter scales it.
             case_t{10, 50ms, 1.0, 20s}, case_t{10, 50ms, 0.25, 5s}, case_t{1000000, 50ms, 1.0, 20s},
             case_t{1, 1s, 1.0, 1s}, case_t{5, 1s, 1.0, 16s}, case_t{6, 1s, 1.0, 20s},
             // A jitter source out of range is clamped, never trusted.
             case_t{2, 50ms, 7.0, 100ms}, case_t{2, 50ms, -1.0, 0ms}, case_t{2, 50ms, nan, 0ms},
             case_t{0, 50ms, 1.0, 50ms},
         }) {
        INFO("attempts " << c.attempts << ", base " << c.base.count() << " ms, jitter " << c.jitter);
        CHECK(backoff_delay(c.attempts, c.base, 20s, c.jitter) == c.expected);
    }
}

TEST_CASE("x-amz-retry-after moves the delay within [backoff, backoff + 5 s]", "[retry][backoff]") {
    CHECK(backoff_delay(1, 50ms, 20s, 1.0, 1500ms) == 1500ms);
    CHECK(backoff_delay(1, 50ms, 20s, 1.0, 0ms) == 50ms);
    CHECK(backoff_delay(1, 50ms, 20s, 1.0, 10000ms) == 5050ms);
    CHECK(backoff_delay(1, 50ms, 20s, 0.0, 10000ms) == 5000ms);
    CHECK(backoff_delay(1, 50ms, 20s, 1.0, 10000ms, 1000ms) == 1050ms);
}

TEST_CASE("random jitter stays within [0, capped exponential]", "[retry][backoff]") {
    standard_retry_strategy strategy{retry_options{.max_attempts = 6, .retry_quota_capacity = 1000000}};
    std::vector<std::chrono::nanoseconds> maxima{50ms, 100ms, 200ms, 400ms, 800ms};
    std::vector<std::chrono::nanoseconds> seen_max(5), seen_min(5, 1h);
    for (int call = 0; call < 2000; ++call) {
        auto record = run_call(strategy, {unavailable});
        REQUIRE(record.delays.size() == 5);
        for (std::size_t i = 0; i < 5; ++i) {
            REQUIRE(record.delays[i] >= 0ns);
            REQUIRE(record.delays[i] <= maxima[i]);
            seen_max[i] = std::max(seen_max[i], record.delays[i]);
            seen_min[i] = std::min(seen_min[i], record.delays[i]);
        }
    }
    // 2000 draws spread over the whole range (each bound missed by < 5% has odds far below 1e-40).
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(seen_max[i] > maxima[i] * 95 / 100);
        CHECK(seen_min[i] < maxima[i] * 5 / 100);
    }
}

// The cross-SDK test vectors of the 2026 update (aws-sdk-go-v2
// aws/retry/retry2026_test.go TestRetry2026StandardMode, jitter = 1).
TEST_CASE("the SDKs' 2026 standard-mode vectors", "[retry][standard]") {
    struct step {
        attempt_outcome response;
        retry_reason reason;
        int quota_after;
        std::chrono::nanoseconds delay = 0ns;
    };
    struct vector_case {
        const char* name;
        retry_options options;
        std::vector<step> steps;
    };
    auto bad = [](unsigned status) { return attempt_outcome::service_failure(status, ""); };
    auto o = [](int attempts, int tokens, std::chrono::milliseconds max_backoff = 20s) {
        return with_jitter(1.0, {.max_attempts = attempts, .max_backoff = max_backoff, .retry_quota_capacity = tokens});
    };
    using r = retry_reason;
    std::vector<vector_case> cases{
        {"retry eventually succeeds", o(3, 500),
         {{bad(500), r::retrying, 486, 50ms}, {bad(500), r::retrying, 472, 100ms}, {ok, r::succeeded, 486}}},
        {"fail due to max attempts reached", o(3, 500),
         {{bad(502), r::retrying, 486, 50ms}, {bad(502), r::retrying, 472, 100ms},
          {bad(502), r::max_attempts_reached, 472}}},
        {"retry quota reached after a single retry", o(3, 14),
         {{bad(500), r::retrying, 0, 50ms}, {bad(500), r::retry_quota_exhausted, 0}}},
        {"no retries at all if retry quota is 0", o(3, 0), {{bad(500), r::retry_quota_exhausted, 0}}},
        {"verifying exponential backoff timing", o(5, 500),
         {{bad(500), r::retrying, 486, 50ms}, {bad(500), r::retrying, 472, 100ms}, {bad(500), r::retrying, 458, 200ms},
          {bad(500), r::retrying, 444, 400ms}, {bad(500), r::max_attempts_reached, 444}}},
        {"verify max backoff time", o(5, 500, 200ms),
         {{bad(500), r::retrying, 486, 50ms}, {bad(500), r::retrying, 472, 100ms}, {bad(500), r::retrying, 458, 200ms},
          {bad(500), r::retrying, 444, 200ms}, {bad(500), r::max_attempts_reached, 444}}},
        {"retry stops after retry quota exhaustion", o(5, 20),
         {{bad(500), r::retrying, 6, 50ms}, {bad(502), r::retry_quota_exhausted, 6}}},
        {"throttling error token bucket drain and backoff duration", o(3, 500),
         {{attempt_outcome::service_failure(400, "Throttling"), r::retrying, 495, 1s}, {ok, r::succeeded, 500}}},
    };
    for (auto& c : cases) {
        SECTION(c.name) {
            standard_retry_strategy strategy{c.options};
            retry_call_state state;
            for (auto& s : c.steps) {
                strategy.before_attempt(state);
                auto decision = strategy.on_attempt_result(state, s.response);
                CHECK(decision.reason == s.reason);
                CHECK(decision.retry == (s.reason == r::retrying));
                CHECK(decision.delay == s.delay);
                CHECK(strategy.quota().available() == s.quota_after);
            }
        }
    }
}

TEST_CASE("quota recovers with successes, call after call", "[retry][quota]") {
    // aws-sdk-go-v2 retry2026_test.go "retry quota recovery after successful responses".
    standard_retry_strategy strategy{with_jitter(1.0, {.max_attempts = 5, .retry_quota_capacity = 30})};
    auto first = run_call(strategy, {unavailable, attempt_outcome::service_failure(502, ""), ok});
    CHECK(first.attempts == 3);
    CHECK(first.delays == std::vector<std::chrono::nanoseconds>{50ms, 100ms});
    CHECK(strategy.quota().available() == 16);  // 30 - 14 - 14 + 14: the last retry's cost comes back
    auto second = run_call(strategy, {unavailable, ok});
    CHECK(second.delays == std::vector<std::chrono::nanoseconds>{50ms});
    CHECK(strategy.quota().available() == 16);
}

TEST_CASE("x-amz-retry-after through the strategy", "[retry][standard]") {
    standard_retry_strategy strategy;  // random jitter: the hint dominates
    auto hinted = unavailable;
    hinted.retry_after = parse_retry_after("1500");
    auto record = run_call(strategy, {hinted, ok});
    CHECK(record.delays == std::vector<std::chrono::nanoseconds>{1500ms});
    hinted.retry_after = parse_retry_after("invalid");
    standard_retry_strategy fixed{with_jitter(1.0)};
    CHECK(run_call(fixed, {hinted, ok}).delays == std::vector<std::chrono::nanoseconds>{50ms});
}

TEST_CASE("throttling uses its own base delay and cost", "[retry][standard]") {
    standard_retry_strategy strategy{with_jitter(1.0)};
    auto record = run_call(strategy, {throttled});
    CHECK(record.attempts == 3);
    CHECK(record.delays == std::vector<std::chrono::nanoseconds>{1s, 2s});
    CHECK(record.last.reason == retry_reason::max_attempts_reached);
    CHECK(record.last.failure == failure_kind::throttling);
    CHECK(strategy.quota().available() == 490);
}

TEST_CASE("a timeout retry costs the timeout cost", "[retry][quota]") {
    auto timed_out = attempt_outcome::transport_failure(transport_error_kind::timeout);
    SECTION("2026 defaults: a timeout costs as much as any transient error, more than throttling") {
        standard_retry_strategy strategy{with_jitter(1.0)};
        run_call(strategy, {timed_out, ok});
        CHECK(strategy.quota().available() == 500);
        retry_call_state state;
        strategy.before_attempt(state);
        auto d = strategy.on_attempt_result(state, timed_out);
        CHECK(d.retry_cost == 14);
        CHECK(d.delay == 50ms);
        CHECK(strategy.quota().available() == 486);
        CHECK(d.retry_cost > retry_options{}.throttling_retry_cost);
    }
    SECTION("pre-2026 costs: 10 for a timeout against 5") {
        standard_retry_strategy strategy{with_jitter(1.0, {.retry_cost = 5, .timeout_retry_cost = 10})};
        retry_call_state state;
        strategy.before_attempt(state);
        CHECK(strategy.on_attempt_result(state, timed_out).retry_cost == 10);
        strategy.before_attempt(state);
        CHECK(strategy.on_attempt_result(state, unavailable).retry_cost == 5);
        CHECK(strategy.quota().available() == 485);
    }
}

TEST_CASE("non-retryable errors are never retried", "[retry][standard]") {
    standard_retry_strategy strategy;
    for (auto outcome : {attempt_outcome::service_failure(400, "ValidationException"),
                         attempt_outcome::service_failure(403, "AccessDeniedException"),
                         attempt_outcome::service_failure(404, "ResourceNotFoundException"),
                         attempt_outcome::service_failure(409, "ConflictException"),
                         attempt_outcome::service_failure(402, "ServiceQuotaExceededException"),
                         attempt_outcome::service_failure(400, ""), attempt_outcome::service_failure(404, ""),
                         attempt_outcome::service_failure(403, "InvalidSignatureException"),
                         attempt_outcome::transport_failure(transport_error_kind::certificate_rejected),
                         attempt_outcome::transport_failure(transport_error_kind::cancelled)}) {
        INFO(outcome.http_status << ' ' << outcome.error_type);
        auto record = run_call(strategy, {outcome, ok});
        CHECK(record.attempts == 1);
        CHECK(record.last.reason == retry_reason::not_retryable);
    }
    CHECK(strategy.quota().available() == 500);
}

TEST_CASE("max attempts is respected whatever the quota", "[retry][standard]") {
    for (int max_attempts : {1, 2, 3, 7}) {
        standard_retry_strategy strategy{{.max_attempts = max_attempts}};
        auto record = run_call(strategy, {unavailable});
        CHECK(record.attempts == max_attempts);
        CHECK(record.last.reason == retry_reason::max_attempts_reached);
    }
}

TEST_CASE("transport failures are retried through the strategy", "[retry][standard]") {
    standard_retry_strategy strategy{with_jitter(1.0)};
    auto record = run_call(strategy, {attempt_outcome::transport_failure(transport_error_kind::connection_reset),
                                      attempt_outcome::transport_failure(transport_error_kind::truncated_response),
                                      ok});
    CHECK(record.attempts == 3);
    CHECK(record.last.reason == retry_reason::succeeded);
}

// A sustained 100% 503 outage: 1000 calls of up to 3 attempts each. The
// quota pays for floor(500 / 14) = 35 retries; after that every call makes
// one attempt. Requests sent / calls made = 1035 / 1000 = 1.035 (without a
// quota it would be 3.0; with the pre-2026 cost of 5 it is 1.1).
TEST_CASE("the retry quota caps the extra requests of an outage", "[retry][quota]") {
    auto outage = [](retry_options options, int calls, int concurrency) {
        standard_retry_strategy strategy{std::move(options)};
        int sent = 0;
        // Calls in waves of `concurrency`, attempts interleaved as concurrent calls would be.
        for (int done = 0; done < calls; done += concurrency) {
            std::vector<retry_call_state> states(static_cast<std::size_t>(std::min(concurrency, calls - done)));
            std::vector<bool> finished(states.size(), false);
            for (bool any = true; any;) {
                any = false;
                for (std::size_t i = 0; i < states.size(); ++i) {
                    if (finished[i]) continue;
                    strategy.before_attempt(states[i]);
                    ++sent;
                    finished[i] = !strategy.on_attempt_result(states[i], unavailable).retry;
                    any = true;
                }
            }
        }
        return sent;
    };
    CHECK(outage({}, 1000, 1) == 1035);
    CHECK(outage({}, 1000, 100) == 1035);
    CHECK(outage({.retry_cost = 5, .timeout_retry_cost = 10}, 1000, 100) == 1100);
    CHECK(outage({.retry_quota_capacity = 1000000}, 1000, 100) == 3000);
}

TEST_CASE("after an outage, successes refill the quota and retries resume", "[retry][quota]") {
    standard_retry_strategy strategy{with_jitter(0.0)};
    while (run_call(strategy, {unavailable}).attempts > 1) {
    }
    CHECK(strategy.quota().available() == 500 - 35 * 14);  // 10: less than one retry
    CHECK(run_call(strategy, {unavailable}).last.reason == retry_reason::retry_quota_exhausted);
    for (int i = 0; i < 4; ++i) run_call(strategy, {ok});  // +1 each for a first-attempt success
    CHECK(strategy.quota().available() == 14);
    auto record = run_call(strategy, {unavailable, ok});
    CHECK(record.attempts == 2);
    CHECK(strategy.quota().available() == 14);
    for (int i = 0; i < 1000; ++i) run_call(strategy, {ok});
    CHECK(strategy.quota().available() == 500);  // never past the capacity
}

TEST_CASE("a corrected clock skew is retried once per call", "[retry][clock-skew]") {
    standard_retry_strategy strategy{with_jitter(1.0, {.max_attempts = 5})};
    auto skewed = attempt_outcome::service_failure(403, "InvalidSignatureException");
    skewed.clock_skew_corrected = true;
    auto record = run_call(strategy, {skewed, skewed, ok});
    CHECK(record.attempts == 2);
    CHECK(record.last.reason == retry_reason::clock_skew_already_retried);
    CHECK(run_call(strategy, {skewed, ok}).last.reason == retry_reason::succeeded);
    skewed.clock_skew_corrected = false;
    CHECK(run_call(strategy, {skewed, ok}).attempts == 1);
}

TEST_CASE("the call state counts attempts, backoff and retry costs", "[retry][standard]") {
    standard_retry_strategy strategy{with_jitter(1.0)};
    retry_call_state state;
    CHECK(strategy.before_attempt(state) == 0ns);
    CHECK(state.attempts == 1);
    strategy.on_attempt_result(state, unavailable);
    strategy.before_attempt(state);
    strategy.on_attempt_result(state, throttled);
    CHECK(state.attempts == 2);
    CHECK(state.total_backoff == 50ms + 2s);
    CHECK(state.retry_cost_held == 5);
    CHECK(state.total_send_delay == 0ns);
}

TEST_CASE("no_retry_strategy makes one attempt", "[retry][off]") {
    auto strategy = make_retry_strategy({.mode = retry_mode::off});
    auto record = run_call(*strategy, {unavailable, ok});
    CHECK(record.attempts == 1);
    CHECK(record.last.reason == retry_reason::max_attempts_reached);
    CHECK(record.last.failure == failure_kind::transient);
    CHECK(run_call(*strategy, {ok}).last.reason == retry_reason::succeeded);
    CHECK(run_call(*strategy, {attempt_outcome::service_failure(404, "")}).last.reason ==
          retry_reason::not_retryable);
}

TEST_CASE("make_retry_strategy picks the mode's strategy", "[retry][factory]") {
    CHECK(dynamic_cast<adaptive_retry_strategy*>(make_retry_strategy({.mode = retry_mode::adaptive}).get()));
    auto standard = make_retry_strategy({});
    CHECK(dynamic_cast<standard_retry_strategy*>(standard.get()));
    CHECK_FALSE(dynamic_cast<adaptive_retry_strategy*>(standard.get()));
    CHECK(dynamic_cast<no_retry_strategy*>(make_retry_strategy({.mode = retry_mode::off}).get()));
}

TEST_CASE("invalid options are rejected with a clear error", "[retry][options]") {
    CHECK_THROWS_AS(standard_retry_strategy({.max_attempts = 0}), std::invalid_argument);
    CHECK_THROWS_AS(standard_retry_strategy({.base_delay = -1ms}), std::invalid_argument);
    CHECK_THROWS_AS(standard_retry_strategy({.max_backoff = -1ms}), std::invalid_argument);
    CHECK_THROWS_AS(standard_retry_strategy({.retry_quota_capacity = -1}), std::invalid_argument);
    CHECK_THROWS_AS(standard_retry_strategy({.retry_cost = -5}), std::invalid_argument);
    CHECK_THROWS_AS(make_retry_strategy({.mode = retry_mode::adaptive, .adaptive = {.beta = 1.5}}),
                    std::invalid_argument);
    CHECK_THROWS_AS(make_retry_strategy({.mode = retry_mode::adaptive, .adaptive = {.min_fill_rate = 0}}),
                    std::invalid_argument);
    CHECK_THROWS_WITH(standard_retry_strategy({.max_attempts = -3}), Catch::Contains("max_attempts"));
}

namespace {

// The user strategy of docs/retries.md, "Writing your own strategy": the
// retryable failures retried up to 5 attempts, 200 ms apart, no quota.
class fixed_delay_strategy final : public ivschat::retry_strategy {
protected:
    // Zero: send now. Anything else: the client waits and asks again.
    std::chrono::nanoseconds do_before_attempt(ivschat::retry_call_state&) override { return {}; }

    ivschat::retry_decision do_on_attempt_result(ivschat::retry_call_state& call,
                                                 const ivschat::attempt_outcome& outcome) override {
        using namespace std::chrono_literals;
        auto failure = ivschat::classify(outcome);
        if (failure == ivschat::failure_kind::none) return {.reason = ivschat::retry_reason::succeeded};
        if (failure == ivschat::failure_kind::not_retryable) return {.reason = ivschat::retry_reason::not_retryable};
        if (call.attempts >= 5) return {.reason = ivschat::retry_reason::max_attempts_reached, .failure = failure};
        return {.retry = true, .delay = 200ms, .reason = ivschat::retry_reason::retrying, .failure = failure};
    }
};

}  // namespace

TEST_CASE("a user-supplied strategy works through the interface", "[retry][custom]") {
    std::shared_ptr<retry_strategy> strategy = std::make_shared<fixed_delay_strategy>();
    auto record = run_call(*strategy, {unavailable, throttled, ok});
    CHECK(record.attempts == 3);
    CHECK(record.delays == std::vector<std::chrono::nanoseconds>{200ms, 200ms});
    CHECK(record.last.reason == retry_reason::succeeded);
    CHECK(run_call(*strategy, {attempt_outcome::service_failure(404, "ResourceNotFoundException")}).attempts == 1);
    retry_call_state state;
    retry_decision decision;
    do {
        CHECK(strategy->before_attempt(state) == 0ns);
        decision = strategy->on_attempt_result(state, unavailable);
    } while (decision.retry);
    CHECK(decision.reason == retry_reason::max_attempts_reached);
    CHECK(state.attempts == 5);
    CHECK(state.total_backoff == 800ms);
    CHECK(state.total_send_delay == 0ns);
}
