#include "ivschat/pacing/leased_permits.hpp"

#include <algorithm>

namespace ivschat::detail {

void leased_permits::add(std::size_t operation, lease l) {
    if (l.count == 0) return;
    auto& q = queues_[operation];
    q.remaining += l.count;
    q.leases.push_back(l);
}

leased_permits::take_result leased_permits::take(std::size_t operation, clock::time_point now,
                                                 clock::duration max_wait) {
    auto& q = queues_[operation];
    if (q.leases.empty()) return {outcome::empty};
    lease& next = q.leases.front();
    const auto at = std::max(next.first, now);
    if (at - now > max_wait) return {outcome::too_late, at};
    next.first += next.interval;
    --q.remaining;
    if (--next.count == 0) q.leases.pop_front();
    return {outcome::granted, at};
}

std::uint32_t leased_permits::remaining(std::size_t operation) const noexcept { return queues_[operation].remaining; }

void leased_permits::clear() noexcept {
    for (auto& q : queues_) {
        q.leases.clear();
        q.remaining = 0;
    }
}

}  // namespace ivschat::detail
