#pragma once

#include <chrono>

namespace nanofaas::detail {

/// `t + d`, clamped to the time point's range instead of overflowing: a configured duration
/// may be `nanoseconds::max()` ("forever") or `min()`, and signed overflow is undefined.
constexpr std::chrono::steady_clock::time_point saturating_add(
    std::chrono::steady_clock::time_point t, std::chrono::nanoseconds d) noexcept {
  using time_point = std::chrono::steady_clock::time_point;
  using duration = time_point::duration;
  const duration since = t.time_since_epoch();
  if (d > duration::zero() && since > duration::max() - d) return time_point::max();
  if (d < duration::zero() && since < duration::min() - d) return time_point::min();
  return t + d;
}

/// `d` doubled `times` times, clamped to the duration's range instead of overflowing.
constexpr std::chrono::nanoseconds saturating_doubled(std::chrono::nanoseconds d,
                                                      unsigned times) noexcept {
  using nanoseconds = std::chrono::nanoseconds;
  for (unsigned k = 0; k < times && d != nanoseconds::zero(); ++k) {
    if (d > nanoseconds::max() / 2) return nanoseconds::max();
    if (d < nanoseconds::min() / 2) return nanoseconds::min();
    d *= 2;
  }
  return d;
}

static_assert(saturating_add(std::chrono::steady_clock::time_point{}, std::chrono::nanoseconds{5})
                  .time_since_epoch()
                  .count() == 5);
static_assert(saturating_add(std::chrono::steady_clock::time_point(std::chrono::nanoseconds{1}),
                             std::chrono::nanoseconds::max()) ==
              std::chrono::steady_clock::time_point::max());
static_assert(saturating_add(std::chrono::steady_clock::time_point(std::chrono::nanoseconds{-1}),
                             std::chrono::nanoseconds::min()) ==
              std::chrono::steady_clock::time_point::min());

static_assert(saturating_doubled(std::chrono::nanoseconds{3}, 2).count() == 12);
static_assert(saturating_doubled(std::chrono::nanoseconds::max() / 3, 2) ==
              std::chrono::nanoseconds::max());
static_assert(saturating_doubled(std::chrono::nanoseconds::min(), 1) ==
              std::chrono::nanoseconds::min());

}  // namespace nanofaas::detail
