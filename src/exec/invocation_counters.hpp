#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "exec/atomic_histogram.hpp"
#include "runtime/worker_identity.hpp"

namespace nanofaas {
struct FunctionMetrics;
}

namespace nanofaas::detail {

class WorkerHooks;

/// The counters of one version that every invocation moves: one copy per worker, so that
/// workers running the same function never write the same cache line, and a worker's own copy
/// needs no locked instruction.
struct alignas(64) InvocationCounters {
  explicit InvocationCounters(bool sole) noexcept : sole_writer(sole) {}

  /// Adds one: with a plain load and store when one thread alone writes this copy.
  void bump(std::atomic<std::uint64_t>& counter) const noexcept {
    if (sole_writer) {
      counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      counter.fetch_add(1, std::memory_order_relaxed);
    }
  }
  void record(AtomicHistogram& histogram, std::chrono::nanoseconds value) const noexcept {
    histogram.record(value, sole_writer);
  }

  const bool sole_writer;  // a worker's copy, written by that worker's thread only
  std::atomic<std::uint64_t> invocations{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> cold_starts{0};
  std::atomic<std::uint64_t> init_errors{0};
  std::atomic<std::uint64_t> spillover{0};
  AtomicHistogram duration;
  AtomicHistogram init_duration;
  AtomicHistogram async_event_age;
};

/// A version's `InvocationCounters`, one per worker plus one that other threads share, each
/// allocated when its thread first counts (a version never invoked costs a pointer per worker).
class PerWorkerCounters {
 public:
  /// `owner`: the engine's workers (others count in the shared copy); `enabled` false: `local`
  /// is always null (the engine's metrics are off).
  PerWorkerCounters(const WorkerHooks* owner, std::uint32_t workers, bool enabled);
  ~PerWorkerCounters();
  PerWorkerCounters(const PerWorkerCounters&) = delete;
  PerWorkerCounters& operator=(const PerWorkerCounters&) = delete;

  /// The calling thread's copy; null when metrics are off (or memory ran out).
  [[nodiscard]] InvocationCounters* local() noexcept {
    if (!enabled_) return nullptr;
    const std::uint32_t index = shard_index();
    InvocationCounters* c = shards_[index].load(std::memory_order_acquire);
    return c != nullptr ? c : allocate(index);
  }
  /// One finished invocation: `Invocations` and `Duration`, and `Errors` and timeouts when it
  /// failed.
  void count_invocation(bool error, bool timed_out, std::chrono::nanoseconds duration) noexcept {
    if (InvocationCounters* c = local()) {
      c->bump(c->invocations);
      if (error) c->bump(c->errors);
      if (timed_out) c->bump(c->timeouts);
      c->record(c->duration, duration);
    }
  }
  /// Adds every copy's counts to `out`.
  void read_into(FunctionMetrics& out) const;

 private:
  // This engine's worker counts in its own copy; other threads (another engine's worker too,
  // a handler calling into this engine) in the shared one.
  [[nodiscard]] std::uint32_t shard_index() const noexcept {
    const WorkerIdentity self = this_worker;
    return self.hooks != nullptr && self.hooks == owner_ && self.index < workers_ ? self.index
                                                                                  : workers_;
  }
  InvocationCounters* allocate(std::uint32_t index) noexcept;

  const WorkerHooks* owner_;
  std::uint32_t workers_;
  bool enabled_;
  std::unique_ptr<std::atomic<InvocationCounters*>[]> shards_;  // workers_ + 1
};

}  // namespace nanofaas::detail
