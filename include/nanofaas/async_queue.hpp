#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

/// An accepted asynchronous event while it waits for a worker: owned by the engine and
/// opaque to a queue, which keeps the pointer and hands it back.
struct QueuedEvent;

/// How the engine is done with an event a durable queue gave it (`AsyncQueue::settle`).
enum class Settlement : std::uint8_t {
  done,      ///< it succeeded, after its destination: delete it
  failed,    ///< failure handling (destination, dead letters) is over: terminate it
  retry,     ///< run it again after the delay, maybe in another process
  returned,  ///< the engine shut down before it ran: deliver it again at once
};

/// Where one function version's accepted events wait for a worker (Lambda's internal event
/// queue). The engine's dispatcher sees only this interface: `EngineConfig::async_queue`
/// puts another queue in the in-memory one's place. Every member is called from any thread.
///
/// A durable queue (`durable()`: the events live outside the process, shared by many) gets
/// each new event through `store`, which keeps a copy (`stored_form`) before `invoke_async`
/// returns. `pop` returns events it made with `restore_event`, and `push` and `requeue` get
/// only those back (a throttled one, after its backoff); the engine hands each one back
/// through `settle` before freeing it. The queue calls the callback `set_listener` gave it
/// when events arrive. `AsyncConfig::max_queue_depth` is the queue's to apply, or not.
/// `push`, `pop`, `pop_bulk` and `requeue` must not throw (the engine calls them where it
/// cannot handle an exception). `close` may be called more than once; `settle` still works
/// after it, from worker threads and from the thread that shuts the engine down.
class NANOFAAS_API AsyncQueue {
 public:
  virtual ~AsyncQueue() = default;
  /// True for a durable queue; the engine asks once, when the version is made.
  [[nodiscard]] virtual bool durable() const noexcept { return false; }
  /// Durable queues: stores `event` (the engine keeps and frees it) and returns once it is
  /// safe, or an error (`unavailable`, `resource_exhausted`) and nothing stored. The
  /// in-memory queue never gets this call.
  virtual Status store(const QueuedEvent& event);
  /// Durable queues: the engine is done with `event` (one `pop` returned), as `how` says;
  /// `delay` is a retry's. Then the engine frees the event. Must not block for long.
  virtual void settle(QueuedEvent& event, Settlement how, std::chrono::nanoseconds delay) noexcept;
  /// Durable queues: `ready` is to be called (on any thread, never after `close` returns)
  /// when events arrive from elsewhere; it only schedules a look at the queue.
  virtual void set_listener(std::function<void()> ready);
  /// Durable queues: take no more events from elsewhere and give back those taken and not
  /// popped (shutdown); `pop` then returns only events the engine put back.
  virtual void close() noexcept {}
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

/// Makes the event queue of a new function version: its function's name, the version
/// ("$LATEST" or a number), and the bound `AsyncConfig::max_queue_depth`.
using AsyncQueueFactory = std::function<std::unique_ptr<AsyncQueue>(
    std::string_view function, std::string_view version, std::size_t max_queue_depth)>;

/// The engine's in-process queue: lock-free, bounded at `capacity` events, in order per
/// producer. The default for every version.
[[nodiscard]] NANOFAAS_API std::unique_ptr<AsyncQueue> make_in_memory_async_queue(
    std::size_t capacity);

}  // namespace nanofaas
