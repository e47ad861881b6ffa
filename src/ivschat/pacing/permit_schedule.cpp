#include "ivschat/pacing/permit_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ivschat::detail {

permit_schedule::permit_schedule(double permits_per_second, double burst) : rate_(0), burst_(burst) {
    if (!(burst >= 1.0) || !std::isfinite(burst)) throw std::invalid_argument("pacing: a burst must be at least 1 permit");
    set_rate(permits_per_second);
}

void permit_schedule::set_rate(double permits_per_second) {
    if (!(permits_per_second > 0.0) || !std::isfinite(permits_per_second))
        throw std::invalid_argument("pacing: a rate must be a positive number of requests per second");
    rate_ = permits_per_second;
    interval_ = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate_));
    tolerance_ = std::chrono::duration_cast<clock::duration>(interval_ * (burst_ - 1.0));
}

permit permit_schedule::reserve(clock::time_point now, clock::duration max_wait) {
    const auto due = std::max(next_due_, now);
    const auto usable = std::max(due - tolerance_, now);
    if (usable - now > max_wait) return {usable, false};
    next_due_ = due + interval_;
    return {usable, true};
}

void permit_schedule::give_back(clock::time_point now) {
    // Never below now: an unused permit does not bank a burst beyond `burst`.
    next_due_ = std::max(next_due_ - interval_, now);
}

}  // namespace ivschat::detail
