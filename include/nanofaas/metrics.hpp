#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/duration_histogram.hpp"
#include "nanofaas/event_source_mapping.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

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
  std::string version{};  ///< "$LATEST", "1", …; an alias's name in `MetricsSnapshot::aliases`
  std::uint64_t invocations = 0;  ///< `Invocations`: calls that reached the function
  std::uint64_t errors = 0;       ///< `Errors`: function errors (handled and unhandled)
  std::uint64_t throttles = 0;    ///< `Throttles`: counted neither as invocations nor errors
  std::uint64_t timeouts = 0;     ///< invocations that hit their deadline
  std::uint64_t cold_starts = 0;  ///< environments created (init ran)
  std::uint64_t init_errors = 0;  ///< inits that failed
  std::uint64_t provisioned_spillover_invocations = 0;  ///< ran on-demand despite provisioning
  std::uint32_t concurrent_executions = 0;              ///< `ConcurrentExecutions` now
  /// `ProvisionedConcurrentExecutions`: of those, running on provisioned concurrency now.
  std::uint32_t provisioned_concurrent_executions = 0;
  /// Provisioned concurrency configured on this version (its target).
  std::uint32_t provisioned_concurrency = 0;
  /// `ProvisionedConcurrencyUtilization`: executions over configured provisioned concurrency
  /// (0 without any).
  [[nodiscard]] double provisioned_concurrency_utilization() const noexcept {
    return provisioned_concurrency == 0
               ? 0.0
               : static_cast<double>(provisioned_concurrent_executions) / provisioned_concurrency;
  }
  std::uint32_t environments = 0;  ///< live environments (busy + idle)
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
  std::uint64_t async_events_spilled = 0;  ///< handed to the spill handler at shutdown
  /// Taken back by a durable queue (`AsyncQueue::durable`): retries it holds until their
  /// delay ends, maybe for another process, and events returned at shutdown.
  std::uint64_t async_events_handed_back = 0;
  std::uint64_t async_retries = 0;                  ///< retries after function errors
  std::uint64_t async_throttled = 0;                ///< dispatches that were throttled and requeued
  std::uint64_t destination_delivery_failures = 0;  ///< `DestinationDeliveryFailures`
  std::uint64_t dead_letter_errors = 0;             ///< `DeadLetterErrors`
  std::uint64_t recursive_invocations_dropped = 0;  ///< `RecursiveInvocationsDropped`
  /// Received, not yet finished nor handed back (queued, delayed, running).
  std::uint64_t async_pending = 0;
  DurationHistogram async_event_age{};  ///< `AsyncEventAge`: from acceptance to first run
  DurationHistogram duration{};         ///< `Duration` of every invocation
  DurationHistogram init_duration{};    ///< `Init Duration` of every cold start
};

/// One event source mapping's counters, with what identifies it.
struct MappingMetrics {
  std::string uuid{};
  std::string function_name{};  ///< the target, as configured (may be qualified)
  EventSourceMappingMetrics metrics{};
};

/// Engine-wide counters plus every function version's and every mapping's.
struct NANOFAAS_API MetricsSnapshot {
  std::uint32_t concurrent_executions = 0;             ///< `ConcurrentExecutions`
  std::uint32_t unreserved_concurrent_executions = 0;  ///< `UnreservedConcurrentExecutions`
  std::uint32_t unreserved_concurrency_available = 0;  ///< limit minus all reservations
  std::uint64_t log_records_dropped = 0;  ///< log lines dropped with the writer's buffer full
  /// Every function version's.
  std::vector<FunctionMetrics> functions{};
  /// Calls made through each alias (Lambda's `Resource` dimension `name:alias`), which count
  /// in the versions that ran them too: `version` holds the alias's name, and `invocations`,
  /// `errors`, `timeouts`, `throttles`, `duration` and `async_events_received` are counted
  /// (the other members stay 0).
  std::vector<FunctionMetrics> aliases{};
  std::vector<MappingMetrics> mappings{};

  /// The entry for `function_name` and `qualifier` (a version, else an alias), or nullptr; it
  /// lives as long as the snapshot.
  [[nodiscard]] const FunctionMetrics* find(std::string_view function_name,
                                            std::string_view qualifier = "$LATEST") const& noexcept;
  /// On a temporary snapshot (`engine.metrics().find(…)`): the entry moved out, so that no
  /// pointer into the temporary can outlive it.
  [[nodiscard]] std::optional<FunctionMetrics> find(std::string_view function_name,
                                                    std::string_view qualifier = "$LATEST") &&;
};

}  // namespace nanofaas
