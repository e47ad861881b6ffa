#pragma once

#include <chrono>

namespace ivschat::detail {

/// The answer to a reservation: when the permit may be used, and whether it
/// was taken (false: that is past the caller's max_wait; nothing was taken).
struct permit {
    std::chrono::steady_clock::time_point at{};
    bool granted = false;
};

/// When each permit of a rate-limited resource may be used: the generic
/// cell rate algorithm. One permit every `interval`, and up to `burst`
/// permits at once after a quiet period. Reservations are served in the
/// order they are made, so waiting is FIFO. Sans-io: the caller passes the
/// time and waits itself. Not thread-safe.
class permit_schedule {
public:
    using clock = std::chrono::steady_clock;

    /// Throws std::invalid_argument unless permits_per_second > 0 and burst >= 1.
    permit_schedule(double permits_per_second, double burst);

    /// Reserves the next permit and returns when it may be used (`now` when
    /// there is no wait). When that is more than `max_wait` after `now`,
    /// reserves nothing (`granted` false).
    permit reserve(clock::time_point now, clock::duration max_wait);
    /// Returns a reserved permit that will not be used (its call was
    /// cancelled): the next reservation comes one interval sooner.
    void give_back(clock::time_point now);

    /// Changes the rate for the reservations to come.
    void set_rate(double permits_per_second);
    double rate() const noexcept { return rate_; }

private:
    double rate_;
    double burst_;
    clock::duration interval_;
    // (burst - 1) intervals: how far ahead of the schedule a permit may be used.
    clock::duration tolerance_;
    // The theoretical arrival time: when the next permit would be due if
    // permits were spaced exactly one interval apart.
    clock::time_point next_due_{};
};

}  // namespace ivschat::detail
