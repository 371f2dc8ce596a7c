#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "nanofaas/metrics.hpp"

namespace nanofaas::detail {

/// A `DurationHistogram` that many threads record into. Its buckets (4.6 KB) are allocated and
/// zeroed up front, when the function is registered: allocated on the first sample, their page
/// faults would cost a cold start ~12 µs on a VM.
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
  std::atomic<std::int64_t> sum_ns_{0};  // the samples' sum, for Prometheus' `_sum`
};

/// Why an accepted event ended without a successful run (the reasons of `AsyncEventsDropped`).
enum class DropReason : std::uint8_t {
  retries_exhausted,   ///< a function error with no retry left
  event_age_exceeded,  ///< older than its `MaximumEventAgeInSeconds` before it could run
  throttled,           ///< reserved concurrency 0, or no room to queue it again
  recursive_loop,      ///< a chain of invocations deeper than 16
  shutdown,            ///< still queued or waiting for a retry when shutdown's drain ended
};
inline constexpr std::size_t drop_reason_count = 5;
static_assert(drop_reason_count == static_cast<std::size_t>(DropReason::shutdown) + 1);

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
  /// Events that ended without a successful run, by `DropReason`.
  std::array<std::atomic<std::uint64_t>, drop_reason_count> async_dropped{};
  /// Of those, the ones with no target (no failure destination, dead letter or spill handler).
  std::atomic<std::uint64_t> async_discarded{0};
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
