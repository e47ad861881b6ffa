#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace ivschat::bench {

/// The nearest-rank percentile `p` (0 to 1) of sorted values; 0 when empty.
inline double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace ivschat::bench
