#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "async/async_event.hpp"
#include "async/event_pool.hpp"
#include "common/publish_once.hpp"
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
  /// The lock-free queue itself (~1 KB) is made by the first push: a function that is never
  /// invoked asynchronously costs only this object.
  explicit InMemoryAsyncQueue(std::size_t capacity) : capacity_(capacity) {}
  ~InMemoryAsyncQueue() override {
    Queue* queue = queue_.load(std::memory_order_acquire);
    if (queue == nullptr) return;
    QueuedEvent* event = nullptr;
    while (queue->try_dequeue(event)) EventPool::give(event);
    delete queue;
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
    Queue* queue = this->queue();
    if (queue == nullptr || !queue->enqueue(event)) {  // no memory
      pushed_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  QueuedEvent* pop() override {
    Queue* queue = queue_.load(std::memory_order_acquire);
    QueuedEvent* event = nullptr;
    if (queue == nullptr || !queue->try_dequeue(event)) return nullptr;
    popped_.fetch_add(1, std::memory_order_release);
    return event;
  }
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override {
    Queue* queue = queue_.load(std::memory_order_acquire);
    const std::size_t n = queue != nullptr ? queue->try_dequeue_bulk(out, max) : 0;
    if (n != 0) popped_.fetch_add(n, std::memory_order_release);
    return n;
  }
  bool requeue(QueuedEvent* event) override {
    pushed_.fetch_add(1, std::memory_order_acq_rel);
    if (Queue* queue = this->queue(); queue != nullptr && queue->enqueue(event)) return true;
    pushed_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  [[nodiscard]] std::size_t depth_approx() const override {
    const std::uint64_t popped = popped_.load(std::memory_order_acquire);
    const std::uint64_t pushed = pushed_.load(std::memory_order_acquire);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
  }

 private:
  using Queue = moodycamel::ConcurrentQueue<QueuedEvent*>;
  // The queue, made on first use; null when memory ran out (the push fails).
  Queue* queue() noexcept {
    Queue* queue = queue_.load(std::memory_order_acquire);
    if (queue != nullptr) return queue;
    auto* fresh = new (std::nothrow) Queue(moodycamel::ConcurrentQueueDefaultTraits::BLOCK_SIZE);
    if (fresh == nullptr) return nullptr;
    return detail::publish_once(queue_, fresh, [](Queue* loser) { delete loser; });
  }

  const std::size_t capacity_;
  std::atomic<Queue*> queue_{nullptr};  // read-only once made
  alignas(64) std::atomic<std::uint64_t> pushed_{0};
  std::atomic<std::uint64_t> popped_seen_{0};  // producers' last reading of `popped_`
  alignas(64) std::atomic<std::uint64_t> popped_{0};
};

}  // namespace

std::unique_ptr<AsyncQueue> make_in_memory_async_queue(std::size_t capacity) {
  return std::make_unique<InMemoryAsyncQueue>(capacity);
}

}  // namespace nanofaas
