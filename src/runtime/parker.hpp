#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>

#include "common/saturating_time.hpp"

namespace nanofaas::detail {

/// Waits on a 32-bit word with the Linux futex: sleeps while `*word == expected`, at most
/// `timeout` (negative: forever). Spurious returns are possible; callers re-check.
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       std::chrono::nanoseconds timeout) noexcept {
  timespec ts{};
  timespec* tsp = nullptr;
  if (timeout.count() >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
    tsp = &ts;
  }
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, tsp,
          nullptr, 0);
}

/// Wakes every thread waiting on `word`.
inline void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Parks one thread until another unparks it: the idle path of a worker. An unpark before the
/// park is remembered, so no wake-up is lost; an unpark of a running thread costs one atomic
/// compare-exchange and no system call.
class Parker {
 public:
  /// Blocks until `unpark`, `deadline` (time_point::max(): no deadline), or `*watch` (if set)
  /// becomes non-zero; spins first for `spin`, then sleeps on a futex. A thread that makes
  /// `*watch` non-zero must then wake a `sleeping` parker (seq_cst on both sides: it sees the
  /// parker asleep, or the parker sees the word). Only the owning thread calls it.
  void park(std::chrono::steady_clock::time_point deadline, std::chrono::nanoseconds spin,
            const std::atomic<std::uint32_t>* watch = nullptr) noexcept {
    using clock = std::chrono::steady_clock;
    if (state_.exchange(empty, std::memory_order_acquire) == notified) return;
    const auto watched = [watch] {
      return watch != nullptr && watch->load(std::memory_order_seq_cst) != 0;
    };
    if (spin.count() > 0) {
      const auto spin_until = saturating_add(clock::now(), spin);
      do {
        for (int i = 0; i < 64; ++i) {
          if (state_.load(std::memory_order_relaxed) == notified) {
            state_.store(empty, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);
            return;
          }
          spin_pause();
        }
        if (watched()) return;
      } while (clock::now() < spin_until && clock::now() < deadline);
    }
    std::uint32_t expected = empty;
    if (!state_.compare_exchange_strong(expected, parked, std::memory_order_seq_cst)) {
      state_.store(empty, std::memory_order_relaxed);  // it was `notified`
      return;
    }
    for (;;) {
      if (watched()) break;
      std::chrono::nanoseconds timeout{-1};
      if (deadline != clock::time_point::max()) {
        timeout = deadline - clock::now();
        if (timeout.count() <= 0) break;
      }
      futex_wait(state_, parked, timeout);
      if (state_.load(std::memory_order_acquire) != parked) break;
      if (deadline != clock::time_point::max() && clock::now() >= deadline) break;
    }
    state_.store(empty, std::memory_order_release);
  }

  /// True while the owning thread sleeps on the futex, or was woken and has not run yet (not
  /// while it spins or works). Any thread; a hint.
  [[nodiscard]] bool sleeping() const noexcept {
    const std::uint32_t s = state_.load(std::memory_order_relaxed);
    return s == parked || s == woken;
  }
  /// True while it sleeps on the futex and nobody woke it yet. Any thread; a hint.
  [[nodiscard]] bool asleep() const noexcept {
    return state_.load(std::memory_order_seq_cst) == parked;
  }

  /// Wakes the parked thread, or makes its next park return at once. Any thread.
  void unpark() noexcept {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(s, s == parked || s == woken ? woken : notified,
                                         std::memory_order_seq_cst, std::memory_order_relaxed)) {
    }
    if (s == parked) futex_wake_all(state_);
  }

 private:
  static constexpr std::uint32_t empty = 0;     // running, or spinning
  static constexpr std::uint32_t notified = 1;  // unparked while awake
  static constexpr std::uint32_t parked = 2;    // asleep on the futex
  static constexpr std::uint32_t woken = 3;     // unparked while asleep, not yet running
  std::atomic<std::uint32_t> state_{empty};
};

}  // namespace nanofaas::detail
