#include "memory.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace soak {

std::uint64_t resident_bytes() {
  unsigned long long pages_total = 0, pages_resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  const int read = std::fscanf(f, "%llu %llu", &pages_total, &pages_resident);
  std::fclose(f);
  if (read != 2) return 0;
  return pages_resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  unsigned long long kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      std::sscanf(line + 6, "%llu", &kib);
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

std::uint64_t heap_in_use_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void fix_allocator_thresholds() {
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

MemoryReading settled_memory() {
  malloc_trim(0);
  return {resident_bytes(), heap_in_use_bytes()};
}

}  // namespace soak
