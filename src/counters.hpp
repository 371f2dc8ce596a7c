#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "nanofaas/metrics.hpp"

namespace nanofaas::detail {

/// A `DurationHistogram` that many threads record into. Its buckets (4.6 KB) are allocated and
/// zeroed up front, when the function is registered: allocated on the first sample, their page
/// faults used to cost a cold start ~12 µs on a VM.
class AtomicHistogram {
 public:
  AtomicHistogram() : buckets_(new Bucket[DurationHistogram::bucket_count]()) {}
  ~AtomicHistogram() { delete[] buckets_; }
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  void record(std::chrono::nanoseconds value) noexcept;
  /// Adds the counts to `out`.
  void read_into(DurationHistogram& out) const noexcept;

 private:
  using Bucket = std::atomic<std::uint64_t>;
  Bucket* const buckets_;
};

/// The live counters of one function version (see `FunctionMetrics`).
struct VersionCounters {
  // Written by the threads that queue events; apart from the workers' counters below, so
  // that producers and workers do not pass one cache line back and forth per event.
  alignas(64) std::atomic<std::uint64_t> async_received{0};
  alignas(64) std::atomic<std::uint64_t> invocations{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> throttles{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> cold_starts{0};
  std::atomic<std::uint64_t> init_errors{0};
  std::atomic<std::uint64_t> spillover{0};
  std::atomic<std::uint32_t> concurrent{0};
  std::atomic<std::uint64_t> async_succeeded{0};
  std::atomic<std::uint64_t> async_failed{0};
  std::atomic<std::uint64_t> async_dropped{0};
  std::atomic<std::uint64_t> async_spilled{0};
  std::atomic<std::uint64_t> async_retries{0};
  std::atomic<std::uint64_t> async_throttled{0};
  std::atomic<std::uint64_t> destination_failures{0};
  std::atomic<std::uint64_t> dead_letter_errors{0};
  std::atomic<std::uint64_t> recursive_dropped{0};
  AtomicHistogram async_event_age;

  /// Accepted events not finished yet: received less the three outcomes (each counted with
  /// release after its event's receipt, so reading them first never yields a negative).
  [[nodiscard]] std::uint64_t async_pending() const noexcept {
    const std::uint64_t ended = async_succeeded.load(std::memory_order_acquire) +
                                async_failed.load(std::memory_order_acquire) +
                                async_spilled.load(std::memory_order_acquire);
    return async_received.load(std::memory_order_acquire) - ended;
  }
  AtomicHistogram duration;
  AtomicHistogram init_duration;
};

}  // namespace nanofaas::detail
