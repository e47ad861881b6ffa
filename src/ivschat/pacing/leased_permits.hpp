#pragma once

#include "ivschat/pacing/operation_pacer.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>

namespace ivschat::detail {

/// Permits this process leased from the fleet's shared schedule, per
/// operation, handed out in order. Sans-io and not thread-safe.
class leased_permits {
public:
    using clock = std::chrono::steady_clock;

    /// `count` permits: the first usable at `first`, then one per `interval`.
    struct lease {
        clock::time_point first;
        clock::duration interval;
        std::uint32_t count;
    };

    enum class outcome {
        granted,   ///< a permit was taken; `at` is when it may be used
        too_late,  ///< the next permit comes at `at`, after max_wait; nothing was taken
        empty,     ///< no permit is leased
    };
    struct take_result {
        outcome result;
        clock::time_point at{};
    };

    void add(std::size_t operation, lease l);
    take_result take(std::size_t operation, clock::time_point now, clock::duration max_wait);
    /// Permits of `operation` leased and not yet taken.
    std::uint32_t remaining(std::size_t operation) const noexcept;
    /// Drops every permit (their leases may no longer be honoured).
    void clear() noexcept;

private:
    struct queue {
        std::deque<lease> leases;
        std::uint32_t remaining = 0;
    };
    std::array<queue, operation_count> queues_{};
};

}  // namespace ivschat::detail
