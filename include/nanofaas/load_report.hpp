#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"
#include "nanofaas/metrics.hpp"

namespace nanofaas {

/// What a run measured. Counts are of measured events only (warm-up excluded), except
/// `warmup_sent`. Every sent event has completed when `run_load` returns.
struct NANOFAAS_API LoadReport {
  /// Per event: from its scheduled send time to its completion (the correction for
  /// coordinated omission: a stalled target or driver shows up as latency). Errors included.
  DurationHistogram latency{};
  std::uint64_t sent = 0;             ///< events handed to the target
  std::uint64_t completed = 0;        ///< events whose target called `done` (== sent)
  std::uint64_t function_errors = 0;  ///< completed with `LoadOutcome::function_error`
  std::uint64_t engine_errors = 0;    ///< completed with `LoadOutcome::engine_error`
  std::uint64_t refused = 0;          ///< sends refused and retried (warm-up included)
  std::uint64_t warmup_sent = 0;      ///< warm-up events sent (not measured)
  double offered_rate = 0;            ///< `LoadSpec::rate`; 0 for a closed loop
  double achieved_rate = 0;           ///< events/s sent, first to last measured send
  double throughput = 0;              ///< events/s completed over `elapsed`
  /// From the first measured send to the last measured completion.
  std::chrono::nanoseconds elapsed{0};

  /// Measured events that succeeded.
  [[nodiscard]] std::uint64_t succeeded() const noexcept {
    return completed - function_errors - engine_errors;
  }
  /// One JSON object whose keys are the CSV columns (latencies in ns, bucket upper bounds).
  [[nodiscard]] std::string to_json() const;
  /// `csv_header()` and `csv_row()`, each ending with a newline.
  [[nodiscard]] std::string to_csv() const;
  /// The CSV column names, comma-separated, without a newline: sent … p50_ns, p90_ns,
  /// p99_ns, p999_ns, max_ns.
  [[nodiscard]] static std::string_view csv_header() noexcept;
  /// This report as one CSV row, without a newline (to append runs under one header).
  [[nodiscard]] std::string csv_row() const;
  /// A few lines for a person: counts, rates, latency percentiles with units.
  [[nodiscard]] std::string to_text() const;
};

}  // namespace nanofaas
