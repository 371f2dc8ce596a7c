#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace nanofaas::detail {

/// The workers of one owner that may spin while idle at the same time, so that spinning never
/// takes the cores their producers need (one less than the machine has, at least one).
struct SpinGroup {
  explicit SpinGroup(std::uint32_t limit) noexcept : limit(std::max<std::uint32_t>(limit, 1)) {}
  const std::uint32_t limit;
  std::atomic<std::uint32_t> spinning{0};
};

/// How long one idle worker spins before it sleeps. Spinning pays when work comes back within
/// the spin (no futex wake) and wastes a core when it does not, so the spin adapts to the
/// waits seen: a wait that ended within `max` sets it back to `max`, a longer one halves it,
/// down to `max / 32`. While the group's limit of spinners is reached the worker sleeps at
/// once: the spinning one catches the next burst. On the worker's own thread.
class IdleSpin {
 public:
  using nanoseconds = std::chrono::nanoseconds;

  IdleSpin(nanoseconds max, SpinGroup* group) noexcept : max_(max), spin_(max), group_(group) {}

  /// The spin for the wait that starts now (zero: sleep at once). Call `end` after the wait.
  nanoseconds begin() noexcept {
    spinning_ = false;
    if (spin_.count() <= 0) return nanoseconds(0);
    if (group_ != nullptr) {
      if (group_->spinning.fetch_add(1, std::memory_order_relaxed) >= group_->limit) {
        group_->spinning.fetch_sub(1, std::memory_order_relaxed);
        return nanoseconds(0);
      }
      spinning_ = true;
    }
    return spin_;
  }
  /// The wait ended after `waited` (from `begin` to the wake-up, or to its deadline).
  void end(nanoseconds waited) noexcept {
    if (spinning_) group_->spinning.fetch_sub(1, std::memory_order_relaxed);
    spinning_ = false;
    if (waited <= max_) {
      spin_ = max_;
    } else {
      spin_ = std::max(spin_ / 2, max_ / 32);
    }
  }
  /// False when the worker never spins (`max` is zero): then it needs no `begin` and `end`.
  [[nodiscard]] bool enabled() const noexcept { return max_.count() > 0; }
  [[nodiscard]] nanoseconds current() const noexcept { return spin_; }

 private:
  const nanoseconds max_;
  nanoseconds spin_;
  SpinGroup* group_;
  bool spinning_ = false;
};

}  // namespace nanofaas::detail
