// The adaptive mode's CUBIC token bucket, as botocore retries/adaptive.py,
// bucket.py and throttling.py and Java v2's RateLimiterTokenBucket compute it.
// Times are seconds (double) on the injected steady clock.
#include <ivschat/retry.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ivschat {

namespace {

void validate(const adaptive_options& o) {
    if (!(o.beta > 0.0 && o.beta < 1.0) || !(o.scale_constant > 0.0) || !(o.smoothing > 0.0 && o.smoothing <= 1.0) ||
        !(o.min_fill_rate > 0.0) || !(o.min_capacity > 0.0) || o.measurement_interval.count() <= 0 ||
        !(o.max_rate_over_measured > 0.0) || o.reservation_horizon.count() <= 0)
        throw std::invalid_argument(
            "invalid adaptive_options: beta in (0,1), smoothing in (0,1], other values positive");
}

}  // namespace

client_rate_limiter::client_rate_limiter(adaptive_options options, clock_function clock)
    : options_((validate(options), options)),
      clock_(clock ? std::move(clock) : clock_function{[] { return std::chrono::steady_clock::now(); }}),
      fill_rate_(options_.min_fill_rate),
      max_capacity_(options_.min_capacity) {
    double now = now_seconds();
    double interval = std::chrono::duration<double>(options_.measurement_interval).count();
    last_rate_bucket_ = std::floor(now / interval) * interval;
    last_throttle_time_ = now;
}

double client_rate_limiter::now_seconds() const {
    return std::chrono::duration<double>(clock_().time_since_epoch()).count();
}

std::chrono::nanoseconds client_rate_limiter::acquire(bool& reserved) {
    using seconds = std::chrono::duration<double>;
    if (reserved) {
        reserved = false;
        return {};
    }
    std::lock_guard lock(mutex_);
    if (!enabled_) return {};
    refill(now_seconds());
    if (current_capacity_ >= 1.0) {
        current_capacity_ -= 1.0;
        return {};
    }
    // The capacity goes negative by the tokens reserved ahead; a caller
    // whose turn is within the horizon joins them, the others ask again.
    double wait = (1.0 - current_capacity_) / fill_rate_;
    double horizon = seconds(options_.reservation_horizon).count();
    if (wait > horizon) return std::chrono::duration_cast<std::chrono::nanoseconds>(seconds(horizon));
    current_capacity_ -= 1.0;
    reserved = true;
    // Rounded up, so that the caller does not wake a hair before its token.
    return std::chrono::ceil<std::chrono::nanoseconds>(seconds(wait));
}

void client_rate_limiter::on_response(bool throttled) {
    std::lock_guard lock(mutex_);
    double now = now_seconds();
    update_measured_rate(now);
    double calculated_rate;
    if (throttled) {
        double rate_to_use = enabled_ ? std::min(measured_rate_, fill_rate_) : measured_rate_;
        last_max_rate_ = rate_to_use;
        last_throttle_time_ = now;
        calculated_rate = rate_to_use * options_.beta;
        enabled_ = true;
    } else {
        // CUBIC: W(t) = C (t - K)^3 + W_max with K = cbrt(W_max (1 - beta) / C).
        double k = std::cbrt(last_max_rate_ * (1.0 - options_.beta) / options_.scale_constant);
        calculated_rate = options_.scale_constant * std::pow(now - last_throttle_time_ - k, 3.0) + last_max_rate_;
    }
    update_rate(std::min(calculated_rate, options_.max_rate_over_measured * measured_rate_), now);
}

void client_rate_limiter::refill(double now) {
    if (last_refill_) {
        current_capacity_ = std::min(max_capacity_, current_capacity_ + (now - *last_refill_) * fill_rate_);
    }
    last_refill_ = now;
}

void client_rate_limiter::update_rate(double new_rate, double now) {
    // Tokens earned so far accrue at the old rate before the rate changes.
    refill(now);
    double old_fill_rate = fill_rate_;
    fill_rate_ = std::max(new_rate, options_.min_fill_rate);
    // Reserved tokens are sends already scheduled at the old rate: keep the
    // time at which they are paid off, not their count, or a rate cut would
    // stretch the debt and stall every new caller.
    if (current_capacity_ < 0.0) current_capacity_ *= fill_rate_ / old_fill_rate;
    max_capacity_ = std::max(new_rate, options_.min_capacity);
    current_capacity_ = std::min(current_capacity_, max_capacity_);
}

void client_rate_limiter::update_measured_rate(double now) {
    double interval = std::chrono::duration<double>(options_.measurement_interval).count();
    double bucket = std::floor(now / interval) * interval;
    ++request_count_;
    if (bucket > last_rate_bucket_) {
        double current_rate = static_cast<double>(request_count_) / (bucket - last_rate_bucket_);
        measured_rate_ = current_rate * options_.smoothing + measured_rate_ * (1.0 - options_.smoothing);
        request_count_ = 0;
        last_rate_bucket_ = bucket;
    }
}

client_rate_limiter::snapshot client_rate_limiter::state() const {
    std::lock_guard lock(mutex_);
    return {.enabled = enabled_,
            .fill_rate = fill_rate_,
            .max_capacity = max_capacity_,
            .current_capacity = current_capacity_,
            .measured_rate = measured_rate_,
            .last_max_rate = last_max_rate_};
}

}  // namespace ivschat
