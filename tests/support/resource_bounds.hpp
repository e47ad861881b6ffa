#pragma once

// What a hostile case cost: wall time and growth of the process's peak RSS
// (getrusage ru_maxrss), so that each case can assert generous bounds on a
// noisy 2-core machine: a hang or an unbounded allocation shows, jitter
// does not.

#include <sys/resource.h>

#include <chrono>

namespace ivschat::test {

/// Memory bounds are multiplied by this: AddressSanitizer keeps freed
/// blocks in a quarantine (256 MB by default) and pads every allocation.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr long sanitizer_memory_factor = 8;
#else
inline constexpr long sanitizer_memory_factor = 1;
#endif

struct resource_use {
    std::chrono::milliseconds elapsed{};
    /// How much the process's peak resident set grew, in KiB.
    long peak_rss_growth_kib = 0;
};

inline long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/// Runs `work` and reports what it cost.
template <class Work>
resource_use measure(Work&& work) {
    const long rss_before = peak_rss_kib();
    const auto started = std::chrono::steady_clock::now();
    work();
    return {std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started),
            peak_rss_kib() - rss_before};
}

}  // namespace ivschat::test
