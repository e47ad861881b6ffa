// Capped exponential backoff with full jitter, and the x-amz-retry-after bounds.
#include <ivschat/retry.hpp>

#include <algorithm>
#include <cmath>

namespace ivschat {

std::chrono::nanoseconds backoff_delay(int attempts, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max_backoff, double jitter,
                                       std::optional<std::chrono::milliseconds> retry_after,
                                       std::chrono::milliseconds max_retry_after_extension) noexcept {
    using ms = std::chrono::duration<double, std::milli>;
    if (!(jitter >= 0.0)) jitter = 0.0;  // also NaN
    jitter = std::min(jitter, 1.0);
    // The cap applies before the jitter (the 2026 update: botocore
    // ExponentialBackoff.delay_amount, rand * min(scale * 2^(n-1), MAX_BACKOFF)).
    // ldexp saturates to infinity for huge exponents, which min then caps.
    double exponential = std::ldexp(static_cast<double>(std::max<std::int64_t>(base.count(), 0)),
                                    std::clamp(attempts - 1, 0, 4096));
    double capped = std::min(exponential, static_cast<double>(std::max<std::int64_t>(max_backoff.count(), 0)));
    ms delay{jitter * capped};
    if (retry_after) {
        // The server's hint counts, within [delay, delay + extension]: botocore
        // ExponentialBackoff._RETRY_AFTER_MAX_ADDITIONAL = 5 s.
        ms upper = delay + ms{static_cast<double>(std::max<std::int64_t>(max_retry_after_extension.count(), 0))};
        delay = std::max(delay, std::min(ms{static_cast<double>(retry_after->count())}, upper));
    }
    return std::chrono::duration_cast<std::chrono::nanoseconds>(delay);
}

}  // namespace ivschat
