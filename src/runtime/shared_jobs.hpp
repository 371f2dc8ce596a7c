#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runtime/task.hpp"

namespace nanofaas::detail {

/// Jobs that any worker of a group (an engine's) may run, put here when no worker is awake to
/// take them at once: the first worker to look takes them, instead of the one woken for them,
/// which may wait for a core. Any thread, lock-free.
class SharedJobs {
 public:
  /// Adds `job`; the caller then wakes a sleeping worker unless one spins
  /// (`Parker::park`'s `watch` is `count()`).
  void push(const Job& job) {
    count_.fetch_add(1, std::memory_order_seq_cst);
    queue_.enqueue(job);
  }
  /// Takes up to `max` (at most 8) jobs into `out`; returns how many.
  std::size_t take(Job* out, std::size_t max) noexcept {
    if (count_.load(std::memory_order_acquire) == 0) return 0;
    const std::size_t n = queue_.try_dequeue_bulk(out, max < 8 ? max : 8);
    if (n != 0) count_.fetch_sub(static_cast<std::uint32_t>(n), std::memory_order_relaxed);
    return n;
  }
  /// Jobs pushed and not yet taken. Counted before they are queued: a worker may see the
  /// count a moment before it can take the job (it looks again), never the other way round.
  [[nodiscard]] const std::atomic<std::uint32_t>& count() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_.load(std::memory_order_relaxed) == 0; }

 private:
  moodycamel::ConcurrentQueue<Job> queue_;
  alignas(64) std::atomic<std::uint32_t> count_{0};
};

}  // namespace nanofaas::detail
