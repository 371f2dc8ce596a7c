#pragma once

#include <atomic>

#include "parker.hpp"

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

}  // namespace nanofaas::detail
