#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "nanofaas/async_config.hpp"
#include "nanofaas/async_outcome.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

struct Version;

/// One accepted asynchronous event, owned by the engine until its outcome is delivered.
struct AsyncEvent {
  RequestId id;
  Payload payload;
  Version* version = nullptr;
  const AsyncConfig* config = nullptr;  // the alias's or the version's, when accepted
  std::string_view qualifier;           // engine-owned
  Clock::time_point enqueued;
  std::uint32_t attempts = 0;             // invocations so far
  std::uint32_t throttles = 0;            // consecutive throttled dispatches (for the backoff)
  std::uint32_t depth = 1;                // how deep in a chain of invocations this event is
  AsyncCompletion* completion = nullptr;  // the caller's callback, if it gave one (owned)
};

/// Where a function's accepted events wait for a worker. The dispatcher sees only this
/// interface, so a durable distributed queue can take the in-memory one's place.
class AsyncQueue {
 public:
  virtual ~AsyncQueue() = default;
  /// Takes the event over; false (and nothing taken) when the queue is full. Any thread.
  virtual bool push(AsyncEvent* event) = 0;
  /// The next event, or nullptr. Any thread.
  virtual AsyncEvent* pop() = 0;
  /// Events waiting (approximate while others push or pop).
  virtual std::size_t depth_approx() const = 0;
};

/// The in-process queue: moodycamel's lock-free MPMC queue with a bound.
class InMemoryAsyncQueue final : public AsyncQueue {
 public:
  explicit InMemoryAsyncQueue(std::size_t capacity) : capacity_(capacity) {}
  ~InMemoryAsyncQueue() override {
    AsyncEvent* event = nullptr;
    while (queue_.try_dequeue(event)) delete event;
  }
  bool push(AsyncEvent* event) override {
    if (depth_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      depth_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    queue_.enqueue(event);
    return true;
  }
  AsyncEvent* pop() override {
    AsyncEvent* event = nullptr;
    if (!queue_.try_dequeue(event)) return nullptr;
    depth_.fetch_sub(1, std::memory_order_relaxed);
    return event;
  }
  std::size_t depth_approx() const override { return depth_.load(std::memory_order_relaxed); }

 private:
  std::size_t capacity_;
  std::atomic<std::size_t> depth_{0};
  moodycamel::ConcurrentQueue<AsyncEvent*> queue_;
};

}  // namespace nanofaas::detail
