#pragma once

#include <cstdint>

// Heap allocations of the whole process, counted by the benchmark's own
// replacement of operator new (every form) and malloc/calloc/realloc/
// aligned_alloc/memalign/posix_memalign
// (OpenSSL and Boost.JSON allocate through those). Counting is off until
// enabled, so only the measured phase is counted.
namespace ivschat::bench {

void set_alloc_counting(bool enabled) noexcept;
std::uint64_t allocations() noexcept;

}  // namespace ivschat::bench
