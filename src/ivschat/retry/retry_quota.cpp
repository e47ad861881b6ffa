// The retry quota: a lock-free token bucket shared by all calls of a client.
#include <ivschat/retry.hpp>

#include <algorithm>
#include <stdexcept>

namespace ivschat {

retry_quota::retry_quota(int capacity) : available_(capacity), capacity_(capacity) {
    if (capacity < 0) throw std::invalid_argument("retry quota capacity must not be negative");
}

bool retry_quota::try_acquire(int amount) noexcept {
    int available = available_.load(std::memory_order_relaxed);
    do {
        if (amount > available) return false;
    } while (!available_.compare_exchange_weak(available, available - amount, std::memory_order_relaxed));
    return true;
}

void retry_quota::release(int amount) noexcept {
    // The common case, a first-attempt success with a full bucket, only reads.
    int available = available_.load(std::memory_order_relaxed);
    while (available < capacity_) {
        int refilled = std::min(capacity_, available + std::max(amount, 0));
        if (available_.compare_exchange_weak(available, refilled, std::memory_order_relaxed)) return;
    }
}

}  // namespace ivschat
