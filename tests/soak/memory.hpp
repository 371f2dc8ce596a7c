#pragma once

#include <cstdint>

// The process's memory, for the check that a run leaves nothing behind.

namespace soak {

struct MemoryReading {
  std::uint64_t rss_bytes = 0;   ///< resident set (/proc/self/statm)
  std::uint64_t heap_bytes = 0;  ///< bytes malloc has handed out and not had back (mallinfo2)
};

/// Fixes glibc's mmap and trim thresholds at their defaults. Otherwise freeing a large block
/// (a metrics snapshot of hundreds of versions, say) raises both, and each per-thread arena
/// may then keep up to 64 MiB of freed memory resident, which malloc_trim does not return.
void fix_allocator_thresholds();
/// Gives free heap pages back to the system (malloc_trim), then reads both figures: what is
/// left is what the process still holds, not what the allocator kept for later.
MemoryReading settled_memory();
/// The resident set now, untrimmed.
std::uint64_t resident_bytes();
/// Heap bytes in use now (mallinfo2: every arena, and mmapped blocks).
std::uint64_t heap_in_use_bytes();
/// The largest resident set so far (VmHWM).
std::uint64_t peak_resident_bytes();

}  // namespace soak
