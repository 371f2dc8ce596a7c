#pragma once

#include <atomic>
#include <thread>

#include "runtime/parker.hpp"

namespace nanofaas::detail {

/// A test-and-test-and-set lock for critical sections of a few instructions (idle lists).
/// Never held across a fiber switch or a system call.
class Spinlock {
 public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) spin_pause();
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

/// A test-and-test-and-set lock that spins briefly and then yields the thread: for short
/// critical sections taken by any thread (sources' producers and pollers), where a holder
/// preempted on an oversubscribed machine should get its core back.
class YieldingSpinlock {
 public:
  void lock() noexcept {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < 128) {
          spin_pause();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace nanofaas::detail
