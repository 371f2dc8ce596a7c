#include "runtime/tick_clock.hpp"

#include <cstdio>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace nanofaas::detail {
namespace {

std::int64_t steady_ns() noexcept {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

/// True when the counter runs at a constant rate in every power state (CPUID's invariant
/// TSC) and the kernel keeps time with it, which it does only after checking that the
/// counters of all CPUs agree.
bool counter_usable() noexcept {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) == 0 || eax < 0x80000007u) return false;
  if (__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) == 0 || (edx & (1u << 8)) == 0) {
    return false;
  }
  std::FILE* f =
      std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (f == nullptr) return false;
  char source[32] = {};
  const bool read = std::fgets(source, sizeof source, f) != nullptr;
  std::fclose(f);
  return read && std::strncmp(source, "tsc", 3) == 0 && (source[3] == '\n' || source[3] == '\0');
#else
  return false;
#endif
}

TickClock::Estimator& estimator() noexcept {
  static TickClock::Estimator e;  // trivially destructible members: safe at exit
  return e;
}

thread_local TickClock::Anchor anchor;
thread_local std::int64_t last_ns = 0;

}  // namespace

TickClock::time_point TickClock::now() noexcept {
  static const bool usable = counter_usable();
#if defined(__x86_64__)
  if (usable) {
    const std::int64_t ns = estimator().now([] { return __rdtsc(); }, steady_ns, anchor, last_ns);
    return time_point(std::chrono::nanoseconds(ns));
  }
#endif
  return std::chrono::steady_clock::now();
}

}  // namespace nanofaas::detail
