#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "exec/atomic_histogram.hpp"

namespace nanofaas {
struct FunctionMetrics;
}

namespace nanofaas::detail {

/// The counters of one version that every invocation moves: one copy per worker, so that
/// workers running the same function never write the same cache line.
struct alignas(64) InvocationCounters {
  std::atomic<std::uint64_t> invocations{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> cold_starts{0};
  std::atomic<std::uint64_t> init_errors{0};
  std::atomic<std::uint64_t> spillover{0};
  AtomicHistogram duration;
  AtomicHistogram init_duration;
  AtomicHistogram async_event_age;

  static void bump(std::atomic<std::uint64_t>& counter) noexcept {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
};

/// A version's `InvocationCounters`, one per worker plus one that other threads share, each
/// allocated when its thread first counts (a version never invoked costs a pointer per worker).
class PerWorkerCounters {
 public:
  /// `enabled` false: `local` is always null (the engine's metrics are off).
  PerWorkerCounters(std::uint32_t workers, bool enabled);
  ~PerWorkerCounters();
  PerWorkerCounters(const PerWorkerCounters&) = delete;
  PerWorkerCounters& operator=(const PerWorkerCounters&) = delete;

  /// The calling thread's copy; null when metrics are off.
  [[nodiscard]] InvocationCounters* local() noexcept {
    if (!enabled_) return nullptr;
    std::atomic<InvocationCounters*>& slot = shards_[shard_index()];
    InvocationCounters* c = slot.load(std::memory_order_acquire);
    return c != nullptr ? c : allocate(slot);
  }
  /// One finished invocation: `Invocations` and `Duration`, and `Errors` and timeouts when it
  /// failed.
  void count_invocation(bool error, bool timed_out, std::chrono::nanoseconds duration) noexcept {
    if (InvocationCounters* c = local()) {
      InvocationCounters::bump(c->invocations);
      if (error) InvocationCounters::bump(c->errors);
      if (timed_out) InvocationCounters::bump(c->timeouts);
      c->duration.record(duration);
    }
  }
  /// Adds every copy's counts to `out`.
  void read_into(FunctionMetrics& out) const;

 private:
  [[nodiscard]] std::uint32_t shard_index() const noexcept;
  static InvocationCounters* allocate(std::atomic<InvocationCounters*>& slot) noexcept;

  std::uint32_t workers_;
  bool enabled_;
  std::unique_ptr<std::atomic<InvocationCounters*>[]> shards_;  // workers_ + 1
};

}  // namespace nanofaas::detail
