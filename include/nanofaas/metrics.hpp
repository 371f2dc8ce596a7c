#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// A latency distribution in log-linear buckets (HdrHistogram-style: exact below 16 ns, then
/// 16 buckets per power of two, ~6% precision, up to ~9 minutes).
class NANOFAAS_API DurationHistogram {
 public:
  static constexpr std::size_t sub_buckets = 16;
  static constexpr std::size_t magnitudes = 36;
  static constexpr std::size_t bucket_count = sub_buckets * magnitudes;

  /// Counts one sample.
  void record(std::chrono::nanoseconds value) noexcept { ++counts_[bucket_of(value.count())]; }
  /// Adds another histogram's counts.
  void merge(const DurationHistogram& other) noexcept;
  /// Number of samples.
  [[nodiscard]] std::uint64_t count() const noexcept;
  /// The value below which `q` (0..1) of the samples fall (the bucket's upper bound).
  [[nodiscard]] std::chrono::nanoseconds percentile(double q) const noexcept;
  [[nodiscard]] std::chrono::nanoseconds p50() const noexcept { return percentile(0.50); }
  [[nodiscard]] std::chrono::nanoseconds p99() const noexcept { return percentile(0.99); }
  /// Bucket index of a value in nanoseconds, and the largest value that bucket holds.
  static std::size_t bucket_of(std::int64_t ns) noexcept;
  static std::int64_t bucket_upper(std::size_t bucket) noexcept;
  /// Raw bucket counts.
  [[nodiscard]] const std::array<std::uint64_t, bucket_count>& counts() const noexcept {
    return counts_;
  }
  std::array<std::uint64_t, bucket_count>& counts() noexcept { return counts_; }

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
};

/// Why asynchronous events ended without a successful run (`AsyncEventsDropped`'s reasons).
struct AsyncDropReasons {
  std::uint64_t retries_exhausted = 0;   ///< a function error with no retry left
  std::uint64_t event_age_exceeded = 0;  ///< older than `MaximumEventAgeInSeconds` before a run
  std::uint64_t throttled = 0;           ///< reserved concurrency 0, or no room to queue again
  std::uint64_t recursive_loop = 0;      ///< stopped as a recursive loop
  std::uint64_t shutdown = 0;            ///< spilled at shutdown (`async_events_spilled`)
};

/// Counters of one function version (Lambda's CloudWatch metrics of the same names),
/// read as a consistent-enough snapshot (each counter is read atomically on its own).
struct FunctionMetrics {
  std::string function_name{};
  std::string version{};
  std::uint64_t invocations = 0;  ///< `Invocations`: calls that reached the function
  std::uint64_t errors = 0;       ///< `Errors`: function errors (handled and unhandled)
  std::uint64_t throttles = 0;    ///< `Throttles`: counted neither as invocations nor errors
  std::uint64_t timeouts = 0;     ///< invocations that hit their deadline
  std::uint64_t cold_starts = 0;  ///< environments created (init ran)
  std::uint64_t init_errors = 0;  ///< inits that failed
  std::uint64_t provisioned_spillover_invocations = 0;  ///< ran on-demand despite provisioning
  std::uint32_t concurrent_executions = 0;              ///< `ConcurrentExecutions` now
  std::uint32_t environments = 0;                       ///< live environments (busy + idle)
  std::uint32_t idle_environments = 0;
  std::uint32_t provisioned_environments = 0;  ///< initialised provisioned environments
  std::uint64_t async_events_received = 0;     ///< `AsyncEventsReceived`
  std::uint64_t async_events_succeeded = 0;    ///< async events whose invocation succeeded
  std::uint64_t async_events_failed = 0;       ///< sent to failure handling (any reason)
  /// `AsyncEventsDropped`: ended without a successful run (failed or spilled), whether or not
  /// a destination or dead-letter target received them, as Lambda counts it; by reason below.
  std::uint64_t async_events_dropped = 0;
  AsyncDropReasons async_events_dropped_by{};
  /// Dropped events that had no target: no failure destination, dead-letter callback, queue or
  /// sink, or spill handler (a target that refused one counts in `destination_delivery_failures` or
  /// `dead_letter_errors` instead).
  std::uint64_t async_events_discarded = 0;
  std::uint64_t async_events_spilled = 0;           ///< handed to the spill handler at shutdown
  std::uint64_t async_retries = 0;                  ///< retries after function errors
  std::uint64_t async_throttled = 0;                ///< dispatches that were throttled and requeued
  std::uint64_t destination_delivery_failures = 0;  ///< `DestinationDeliveryFailures`
  std::uint64_t dead_letter_errors = 0;             ///< `DeadLetterErrors`
  std::uint64_t recursive_invocations_dropped = 0;  ///< `RecursiveInvocationsDropped`
  std::uint64_t async_pending = 0;      ///< accepted, not yet finished (queued, delayed, running)
  DurationHistogram async_event_age{};  ///< `AsyncEventAge`: from acceptance to first run
  DurationHistogram duration{};         ///< `Duration` of every invocation
  DurationHistogram init_duration{};    ///< `Init Duration` of every cold start
};

/// Engine-wide counters plus every function version's.
struct NANOFAAS_API MetricsSnapshot {
  std::uint32_t concurrent_executions = 0;             ///< `ConcurrentExecutions`
  std::uint32_t unreserved_concurrent_executions = 0;  ///< `UnreservedConcurrentExecutions`
  std::uint32_t unreserved_concurrency_available = 0;  ///< limit minus all reservations
  std::uint64_t log_records_dropped = 0;  ///< log lines dropped with the writer's buffer full
  std::vector<FunctionMetrics> functions{};

  /// The entry for `function_name` and `version`, or nullptr; it lives as long as the snapshot.
  [[nodiscard]] const FunctionMetrics* find(std::string_view function_name,
                                            std::string_view version = "$LATEST") const& noexcept;
  /// On a temporary snapshot (`engine.metrics().find(…)`): the entry moved out, so that no
  /// pointer into the temporary can outlive it.
  [[nodiscard]] std::optional<FunctionMetrics> find(std::string_view function_name,
                                                    std::string_view version = "$LATEST") &&;
};

}  // namespace nanofaas
