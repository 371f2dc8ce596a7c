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
  /// The lock-free queue and its counters (~1.2 KB) are made by the first push: a function
  /// that is never invoked asynchronously costs only this object.
  explicit InMemoryAsyncQueue(std::size_t capacity) : capacity_(capacity) {}
  ~InMemoryAsyncQueue() override {
    Lanes* lanes = lanes_.load(std::memory_order_acquire);
    if (lanes == nullptr) return;
    QueuedEvent* event = nullptr;
    while (lanes->queue.try_dequeue(event)) EventPool::give(event);
    delete lanes;
  }
  bool push(QueuedEvent* event) override {
    Lanes* lanes = this->lanes();
    if (lanes == nullptr) return false;  // no memory
    const std::uint64_t pushed = lanes->pushed.fetch_add(1, std::memory_order_acq_rel);
    const std::uint64_t seen = lanes->popped_seen.load(std::memory_order_relaxed);
    if (seen < pushed && pushed - seen >= capacity_) {
      // Maybe full: look at what consumers really took (it only grows).
      const std::uint64_t popped = lanes->popped.load(std::memory_order_acquire);
      lanes->popped_seen.store(popped, std::memory_order_relaxed);
      // `popped` may pass `pushed` when this producer was preempted after its increment.
      if (popped < pushed && pushed - popped >= capacity_) {
        lanes->pushed.fetch_sub(1, std::memory_order_relaxed);
        return false;
      }
    }
    if (!lanes->queue.enqueue(event)) {  // no memory
      lanes->pushed.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  QueuedEvent* pop() override {
    Lanes* lanes = lanes_.load(std::memory_order_acquire);
    QueuedEvent* event = nullptr;
    if (lanes == nullptr || !lanes->queue.try_dequeue(event)) return nullptr;
    lanes->popped.fetch_add(1, std::memory_order_release);
    return event;
  }
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override {
    Lanes* lanes = lanes_.load(std::memory_order_acquire);
    const std::size_t n = lanes != nullptr ? lanes->queue.try_dequeue_bulk(out, max) : 0;
    if (n != 0) lanes->popped.fetch_add(n, std::memory_order_release);
    return n;
  }
  bool requeue(QueuedEvent* event) override {
    Lanes* lanes = this->lanes();
    if (lanes == nullptr) return false;
    lanes->pushed.fetch_add(1, std::memory_order_acq_rel);
    if (lanes->queue.enqueue(event)) return true;
    lanes->pushed.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  [[nodiscard]] std::size_t depth_approx() const override {
    const Lanes* lanes = lanes_.load(std::memory_order_acquire);
    if (lanes == nullptr) return 0;
    const std::uint64_t popped = lanes->popped.load(std::memory_order_acquire);
    const std::uint64_t pushed = lanes->pushed.load(std::memory_order_acquire);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
  }

 private:
  /// The queue with the producers' and the consumers' counts, each on a line of its own.
  struct Lanes {
    moodycamel::ConcurrentQueue<QueuedEvent*> queue{
        moodycamel::ConcurrentQueueDefaultTraits::BLOCK_SIZE};
    alignas(64) std::atomic<std::uint64_t> pushed{0};
    std::atomic<std::uint64_t> popped_seen{0};  // producers' last reading of `popped`
    alignas(64) std::atomic<std::uint64_t> popped{0};
  };
  // Made on first use; null when memory ran out (the push fails).
  Lanes* lanes() noexcept {
    Lanes* lanes = lanes_.load(std::memory_order_acquire);
    if (lanes != nullptr) return lanes;
    auto* fresh = new (std::nothrow) Lanes;
    if (fresh == nullptr) return nullptr;
    return detail::publish_once(lanes_, fresh, [](Lanes* loser) { delete loser; });
  }

  const std::size_t capacity_;
  std::atomic<Lanes*> lanes_{nullptr};  // read-only once made
};

}  // namespace

std::unique_ptr<AsyncQueue> make_in_memory_async_queue(std::size_t capacity) {
  return std::make_unique<InMemoryAsyncQueue>(capacity);
}

}  // namespace nanofaas
