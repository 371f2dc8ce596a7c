#pragma once

#include <cstddef>

#include "async/async_event.hpp"

namespace nanofaas::detail {

/// A process-wide cache of `AsyncEvent`s. Each thread keeps its own free list; a thread that
/// frees more than it takes (a worker) hands batches to a shared list, where a thread that
/// takes more than it frees (a producer) picks them up: one lock per batch, and no
/// cross-thread `free` per event. Thread-safe.
class EventPool {
 public:
  /// A cleared event. Any thread; throws std::bad_alloc.
  static AsyncEvent* take();
  /// Clears `event` and keeps it for reuse. Any thread.
  static void give(AsyncEvent* event) noexcept;
  /// Frees the events of the shared list (each thread's own list goes when the thread ends):
  /// for when no engine is left to take them. Any thread.
  static void release_shared() noexcept;
  /// Events in the shared list now.
  [[nodiscard]] static std::size_t shared_size() noexcept;
};

}  // namespace nanofaas::detail
