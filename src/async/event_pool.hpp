#pragma once

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
};

}  // namespace nanofaas::detail
