#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace nanofaas::detail {

/// The steady clock, read through the CPU's time-stamp counter where that is safe: the hot
/// path reads the time once or twice per invocation, and on a VM `steady_clock::now()` costs
/// about twice this clock's read (`nanofaas_bench_invoke`: `BM_SteadyClockNow`,
/// `BM_TickClockNow`).
///
/// Each thread extrapolates from its own anchor (a steady time and the counter's value then)
/// at a process-wide rate, and takes a fresh anchor every `anchor_period` of counter time;
/// the rate is measured against the steady clock from the first anchor on, so its error
/// shrinks as the process runs. Until that span reaches `anchor_period`, and on machines
/// without an invariant counter the kernel itself trusts (its clocksource is not "tsc"),
/// every read is `steady_clock::now()`. A thread's readings never go backwards; readings of
/// different threads agree within the rate's error over one period (nanoseconds).
/// Thread-safe; never blocks.
class TickClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Now, as `steady_clock` would say.
  static time_point now() noexcept;

  /// How often a thread anchors itself to the steady clock again.
  static constexpr std::chrono::milliseconds anchor_period{1};

  /// The extrapolation, apart from the hardware and the thread (for tests): `ticks()` reads
  /// the counter and `steady()` the steady clock in nanoseconds; `state` and `last` are the
  /// calling thread's anchor and last reading.
  struct Anchor {
    std::uint64_t ticks = 0;
    std::int64_t ns = 0;
  };
  class Estimator {
   public:
    template <class Ticks, class Steady>
    std::int64_t now(Ticks&& ticks, Steady&& steady, Anchor& state, std::int64_t& last) noexcept;

   private:
    /// A steady reading and the counter at the same moment: the counter's midpoint around
    /// the steady read, retried a few times if something came in between.
    template <class Ticks, class Steady>
    static Anchor take_anchor(Ticks&& ticks, Steady&& steady) noexcept;

    std::atomic<double> ns_per_tick_{0};  // 0: not measured yet
    std::atomic<bool> started_{false};
    Anchor first_;  // written once, before first_set_ is set
    std::atomic<bool> first_set_{false};
  };
};

template <class Ticks, class Steady>
TickClock::Anchor TickClock::Estimator::take_anchor(Ticks&& ticks, Steady&& steady) noexcept {
  Anchor best;
  std::uint64_t best_width = ~std::uint64_t{0};
  for (int attempt = 0; attempt < 4; ++attempt) {
    const std::uint64_t before = ticks();
    const std::int64_t ns = steady();
    const std::uint64_t after = ticks();
    if (after < before) continue;
    if (after - before < best_width) {
      best_width = after - before;
      best = {before + (after - before) / 2, ns};
    }
    if (best_width < 1000) break;  // about 0.3 µs at 3 GHz: nothing came in between
  }
  return best;
}

template <class Ticks, class Steady>
std::int64_t TickClock::Estimator::now(Ticks&& ticks, Steady&& steady, Anchor& state,
                                       std::int64_t& last) noexcept {
  const std::uint64_t t = ticks();
  const double rate = ns_per_tick_.load(std::memory_order_acquire);
  const auto period_ns = std::chrono::nanoseconds(anchor_period).count();
  if (rate > 0 && state.ticks != 0 && t >= state.ticks &&
      static_cast<double>(t - state.ticks) * rate < static_cast<double>(period_ns)) {
    const auto ns =
        state.ns + static_cast<std::int64_t>(static_cast<double>(t - state.ticks) * rate);
    if (ns > last) last = ns;
    return last;
  }
  // Anchor this thread again, and measure the rate against the first anchor.
  state = take_anchor(ticks, steady);
  if (!first_set_.load(std::memory_order_acquire)) {
    bool expected = false;
    if (started_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      first_ = state;
      first_set_.store(true, std::memory_order_release);
    }
  } else if (state.ticks > first_.ticks && state.ns - first_.ns >= period_ns) {
    ns_per_tick_.store(
        static_cast<double>(state.ns - first_.ns) / static_cast<double>(state.ticks - first_.ticks),
        std::memory_order_release);
  }
  if (state.ns > last) last = state.ns;
  return last;
}

}  // namespace nanofaas::detail
