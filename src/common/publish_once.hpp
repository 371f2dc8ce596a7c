#pragma once

#include <atomic>

namespace nanofaas::detail {

/// Stores `fresh` in the empty `slot` unless another thread got there first, then returns
/// what the slot holds; a loser's `fresh` goes to `discard`. Lazily allocated state, no lock.
template <class T, class Discard>
T* publish_once(std::atomic<T*>& slot, T* fresh, Discard discard) noexcept {
  T* expected = nullptr;
  if (slot.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
    return fresh;
  }
  discard(fresh);
  return expected;
}

}  // namespace nanofaas::detail
