#pragma once

#include <cstddef>
#include <memory>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// An accepted asynchronous event while it waits for a worker: owned by the engine and
/// opaque to a queue, which keeps the pointer and hands it back.
struct QueuedEvent;

/// Where one function version's accepted events wait for a worker (Lambda's internal event
/// queue). The engine's dispatcher sees only this interface: `EngineConfig::async_queue`
/// puts another queue in the in-memory one's place. Every member is called from any thread.
class NANOFAAS_API AsyncQueue {
 public:
  virtual ~AsyncQueue() = default;
  /// Takes the event over; false (and nothing taken) when the queue is full or has no memory.
  virtual bool push(QueuedEvent* event) = 0;
  /// The next event, or nullptr.
  virtual QueuedEvent* pop() = 0;
  /// Up to `max` next events into `out`; how many.
  virtual std::size_t pop_bulk(QueuedEvent** out, std::size_t max) = 0;
  /// Puts back an event popped and not run, past the bound (it held a place before); false
  /// (and nothing taken) when there is no memory for it.
  virtual bool requeue(QueuedEvent* event) = 0;
  /// Events waiting (approximate while others push or pop).
  [[nodiscard]] virtual std::size_t depth_approx() const = 0;
};

/// The engine's in-process queue: lock-free, bounded at `capacity` events, in order per
/// producer. The default for every version.
[[nodiscard]] NANOFAAS_API std::unique_ptr<AsyncQueue> make_in_memory_async_queue(
    std::size_t capacity);

}  // namespace nanofaas
