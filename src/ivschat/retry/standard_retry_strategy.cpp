// The standard retry mode, the no-retry strategy and the factory by mode.
#include <ivschat/retry.hpp>

#include <random>
#include <stdexcept>

namespace ivschat {

namespace {

void require(bool condition, const char* what) {
    if (!condition) throw std::invalid_argument(std::string("invalid retry_options: ") + what);
}

void validate(const retry_options& o) {
    require(o.max_attempts >= 1, "max_attempts must be at least 1");
    require(o.base_delay.count() >= 0 && o.throttling_base_delay.count() >= 0 && o.max_backoff.count() >= 0 &&
                o.max_retry_after_extension.count() >= 0,
            "delays must not be negative");
    require(o.retry_quota_capacity >= 0, "retry_quota_capacity must not be negative");
    require(o.retry_cost >= 0 && o.throttling_retry_cost >= 0 && o.timeout_retry_cost >= 0 &&
                o.no_retry_increment >= 0,
            "retry costs must not be negative");
}

// Per thread, so a strategy shared by threads needs no lock for its jitter.
double thread_local_jitter() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>{0.0, 1.0}(generator);
}

}  // namespace

std::chrono::nanoseconds no_retry_strategy::do_before_attempt(retry_call_state&) { return {}; }

retry_decision no_retry_strategy::do_on_attempt_result(retry_call_state&, const attempt_outcome& outcome) {
    auto failure = classify(outcome);
    return {.reason = failure == failure_kind::none ? retry_reason::succeeded
                      : failure == failure_kind::not_retryable ? retry_reason::not_retryable
                                                                 : retry_reason::max_attempts_reached,
            .failure = failure};
}

standard_retry_strategy::standard_retry_strategy(retry_options options)
    : options_((validate(options), std::move(options))), quota_(options_.retry_quota_capacity) {}

double standard_retry_strategy::next_jitter() const {
    return options_.jitter ? options_.jitter() : thread_local_jitter();
}

std::chrono::nanoseconds standard_retry_strategy::do_before_attempt(retry_call_state&) { return {}; }

retry_decision standard_retry_strategy::do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) {
    retry_decision decision{.failure = classify(outcome)};
    switch (decision.failure) {
    case failure_kind::none:
        // A call that needed retries gets back what its last retry took; one
        // that did not adds the small increment (botocore RetryQuotaChecker.release_retry_quota).
        quota_.release(call.attempts > 1 ? call.retry_cost_held : options_.no_retry_increment);
        call.retry_cost_held = 0;
        decision.reason = retry_reason::succeeded;
        return decision;
    case failure_kind::not_retryable:
        decision.reason = retry_reason::not_retryable;
        return decision;
    case failure_kind::clock_skew:
        if (call.clock_skew_retried) {
            decision.reason = retry_reason::clock_skew_already_retried;
            return decision;
        }
        break;
    case failure_kind::throttling:
    case failure_kind::transient:
    case failure_kind::timeout:
        break;
    }
    if (call.attempts >= options_.max_attempts) {
        decision.reason = retry_reason::max_attempts_reached;
        return decision;
    }
    int cost = decision.failure == failure_kind::throttling ? options_.throttling_retry_cost
               : decision.failure == failure_kind::timeout  ? options_.timeout_retry_cost
                                                            : options_.retry_cost;
    if (!quota_.try_acquire(cost)) {
        decision.reason = retry_reason::retry_quota_exhausted;
        return decision;
    }
    call.retry_cost_held = cost;
    if (decision.failure == failure_kind::clock_skew) call.clock_skew_retried = true;
    auto base = decision.failure == failure_kind::throttling ? options_.throttling_base_delay : options_.base_delay;
    decision.retry = true;
    decision.reason = retry_reason::retrying;
    decision.retry_cost = cost;
    decision.delay = backoff_delay(call.attempts, base, options_.max_backoff, next_jitter(), outcome.retry_after,
                                   options_.max_retry_after_extension);
    return decision;
}

std::shared_ptr<retry_strategy> make_retry_strategy(retry_options options) {
    switch (options.mode) {
    case retry_mode::standard: return std::make_shared<standard_retry_strategy>(std::move(options));
    case retry_mode::adaptive: return std::make_shared<adaptive_retry_strategy>(std::move(options));
    case retry_mode::off: return std::make_shared<no_retry_strategy>();
    }
    throw std::invalid_argument("invalid retry_options: unknown mode");
}

}  // namespace ivschat
