#pragma once

#include <cstdint>

#include "async_ledger.hpp"
#include "fleet.hpp"
#include "nanofaas/metrics.hpp"
#include "violations.hpp"

// After shutdown: every asynchronous event accounted for, by the engine's counters and by
// what the caller's destinations, dead letters, spill handler and completions received.

namespace soak {

/// The figures of the asynchronous side of one run.
struct AsyncTally {
  // The caller's side, from the ledger.
  std::uint64_t issued = 0, accepted = 0, refused = 0, with_completion = 0;
  std::uint64_t succeeded = 0, failed = 0, spilled = 0;
  std::uint64_t undelivered_audits = 0;  ///< the audit function's invoke_async was refused
  std::uint64_t audit_events = 0;        ///< audit events that ended
  // The engine's counters, summed over every version.
  nanofaas::FunctionMetrics engine{};
  std::uint64_t versions = 0;
};

/// Checks the ledger against itself and against `metrics`, taken after shutdown.
AsyncTally check_async(const AsyncLedger& ledger, const nanofaas::MetricsSnapshot& metrics,
                       const Fleet& fleet, Violations& violations);
/// Prints the figures.
void print_async(const AsyncTally& tally);

}  // namespace soak
