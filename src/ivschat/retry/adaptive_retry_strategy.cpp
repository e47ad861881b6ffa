// The adaptive retry mode: standard decisions plus the client-side rate limiter.
#include <ivschat/retry.hpp>

namespace ivschat {

adaptive_retry_strategy::adaptive_retry_strategy(retry_options options)
    : standard_retry_strategy(options), limiter_(options.adaptive, options.clock) {}

std::chrono::nanoseconds adaptive_retry_strategy::do_before_attempt(retry_call_state& call) {
    return limiter_.acquire(call.send_token_reserved);
}

retry_decision adaptive_retry_strategy::do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) {
    auto decision = standard_retry_strategy::do_on_attempt_result(call, outcome);
    // Every response moves the rate, not only failures (botocore
    // ClientRateLimiter.on_receiving_response on each needs-retry event).
    limiter_.on_response(decision.failure == failure_kind::throttling);
    return decision;
}

}  // namespace ivschat
