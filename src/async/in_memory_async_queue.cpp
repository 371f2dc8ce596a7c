#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "async/async_event.hpp"
#include "async/event_pool.hpp"
#include "nanofaas/async_queue.hpp"

namespace nanofaas {
namespace {

using detail::EventPool;

/// The in-process queue: moodycamel's lock-free MPMC queue with a bound. Producers and
/// consumers count on separate cache lines; a producer reads the consumers' count only when
/// its last reading says the queue may be full, so a busy queue costs no line transfer per
/// event for the bound.
class InMemoryAsyncQueue final : public AsyncQueue {
 public:
  /// Starts with one block of slots (it grows on demand): an idle function's queue is small.
  explicit InMemoryAsyncQueue(std::size_t capacity)
      : capacity_(capacity), queue_(moodycamel::ConcurrentQueueDefaultTraits::BLOCK_SIZE) {}
  ~InMemoryAsyncQueue() override {
    QueuedEvent* event = nullptr;
    while (queue_.try_dequeue(event)) EventPool::give(event);
  }
  bool push(QueuedEvent* event) override {
    const std::uint64_t pushed = pushed_.fetch_add(1, std::memory_order_acq_rel);
    const std::uint64_t seen = popped_seen_.load(std::memory_order_relaxed);
    if (seen < pushed && pushed - seen >= capacity_) {
      // Maybe full: look at what consumers really took (it only grows).
      const std::uint64_t popped = popped_.load(std::memory_order_acquire);
      popped_seen_.store(popped, std::memory_order_relaxed);
      // `popped` may pass `pushed` when this producer was preempted after its increment.
      if (popped < pushed && pushed - popped >= capacity_) {
        pushed_.fetch_sub(1, std::memory_order_relaxed);
        return false;
      }
    }
    if (!queue_.enqueue(event)) {  // no memory for a new block
      pushed_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  QueuedEvent* pop() override {
    QueuedEvent* event = nullptr;
    if (!queue_.try_dequeue(event)) return nullptr;
    popped_.fetch_add(1, std::memory_order_release);
    return event;
  }
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override {
    const std::size_t n = queue_.try_dequeue_bulk(out, max);
    if (n != 0) popped_.fetch_add(n, std::memory_order_release);
    return n;
  }
  bool requeue(QueuedEvent* event) override {
    pushed_.fetch_add(1, std::memory_order_acq_rel);
    if (queue_.enqueue(event)) return true;
    pushed_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  [[nodiscard]] std::size_t depth_approx() const override {
    const std::uint64_t popped = popped_.load(std::memory_order_acquire);
    const std::uint64_t pushed = pushed_.load(std::memory_order_acquire);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
  }

 private:
  const std::size_t capacity_;
  alignas(64) std::atomic<std::uint64_t> pushed_{0};
  std::atomic<std::uint64_t> popped_seen_{0};  // producers' last reading of `popped_`
  alignas(64) std::atomic<std::uint64_t> popped_{0};
  alignas(64) moodycamel::ConcurrentQueue<QueuedEvent*> queue_;
};

}  // namespace

std::unique_ptr<AsyncQueue> make_in_memory_async_queue(std::size_t capacity) {
  return std::make_unique<InMemoryAsyncQueue>(capacity);
}

}  // namespace nanofaas
