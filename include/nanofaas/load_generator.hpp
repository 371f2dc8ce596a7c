#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/metrics.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas {

class Engine;

namespace detail {
struct LoadDriver;
}  // namespace detail

/// How the generator calls its target. Engine targets: `async` is `invoke_async` with a
/// completion callback, `sync` is `invoke`.
enum class InvocationMode : std::uint8_t {
  /// One driver thread sends; completions arrive on other threads. Open loop: nothing caps
  /// the calls in flight. Closed loop: at most `LoadSpec::concurrency` in flight.
  async,
  /// `LoadSpec::concurrency` driver threads; each waits for its call to complete before it
  /// takes the next. Open loop: the drivers share the schedule, so an event waits for a free
  /// driver and that wait shows as latency. Closed loop: each driver calls back to back.
  sync,
};

/// What a run does. Aggregate: set the fields by name, e.g.
/// `{.rate = 100000, .duration = 2s, .warmup = 200ms}`. `validate()` lists the rules.
struct LoadSpec {
  /// Open loop: events per second, event i due at start + i / rate whether or not earlier
  /// ones have completed. 0: closed loop (a fixed number of calls in flight).
  double rate = 0;
  /// Closed loop: calls in flight. Sync mode (open or closed): driver threads (at most 1024).
  /// Ignored by an async open loop.
  std::uint32_t concurrency = 1;
  /// How long the measured part lasts. Set exactly one of `duration` and `count`.
  std::chrono::nanoseconds duration{0};
  /// How many measured events to send. Set exactly one of `duration` and `count`.
  std::uint64_t count = 0;
  /// A first part whose events are sent but not measured (warms environments and caches).
  std::chrono::nanoseconds warmup{0};
  InvocationMode mode = InvocationMode::async;
  /// Draws a progress bar on stderr, only when stderr is a terminal.
  bool progress = false;
  /// The time source for schedules and latencies; tests inject one. Must outlive the run.
  const Clock* clock = &Clock::steady();

  /// Fails with `invalid_argument` naming the field: a negative, NaN or infinite `rate` (or
  /// above 1e9), not exactly one of `duration` and `count` positive, a negative `warmup`,
  /// `concurrency` 0 (or above 1024 in sync mode), a null `clock`.
  [[nodiscard]] Status validate() const;
};

/// How one event ended, as its target reports it.
enum class LoadOutcome : std::uint8_t {
  ok,              ///< the work succeeded
  function_error,  ///< the work ran and failed (a function error)
  engine_error,    ///< the target did not run it (an engine error: throttled, not found…)
};

/// One event handed to a target. The target calls `done` exactly once, from any thread, when
/// the work ends; the run waits for that. A small copyable value (fits a `std::function`'s
/// inline storage when captured alone). Valid until `done` returns.
class LoadTicket {
 public:
  /// When the event was due: its latency counts from here, not from when it was sent.
  [[nodiscard]] Clock::time_point scheduled() const noexcept;
  /// False for a warm-up event (its latency and outcome are not reported).
  [[nodiscard]] bool measured() const noexcept;
  /// Records the event's completion now with `outcome`. Call exactly once. Thread-safe.
  void done(LoadOutcome outcome = LoadOutcome::ok) const noexcept;
  /// As above: `ok`, or `function_error` when `ok` is false.
  void done(bool ok) const noexcept { done(ok ? LoadOutcome::ok : LoadOutcome::function_error); }

 private:
  friend struct detail::LoadDriver;
  LoadTicket(detail::LoadDriver* driver, std::int64_t scheduled_ns) noexcept
      : driver_(driver), scheduled_ns_(scheduled_ns) {}

  detail::LoadDriver* driver_;
  std::int64_t scheduled_ns_;
};

/// A target's send: hands the event over and returns true, or returns false when it is
/// refused for now (a full queue); the generator then counts a refusal and retries at once.
using LoadSend = std::function<bool(LoadTicket)>;

/// What a run measured. Counts are of measured events only (warm-up excluded), except
/// `warmup_sent`. Every sent event has completed when `run_load` returns.
struct LoadReport {
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

/// Runs `spec` against an engine function and blocks until every event has completed.
/// Sync mode calls `invoke` on the drivers; async mode `invoke_async` with a completion
/// callback (a queue-full refusal is retried and counted; the function's `AsyncConfig`
/// applies, so a failing event completes after its retries: set `maximum_retry_attempts` 0
/// to count it at once). Call from a plain thread: from a handler (any engine's worker) it
/// fails with `invalid_argument`. Also fails with `spec.validate()`'s error, or `dry_run`'s
/// (`not_found`, `too_many_requests` when reserved 0…) before sending anything.
[[nodiscard]] Expected<LoadReport> run_load(Engine& engine, std::string_view qualified_name,
                                            PayloadView payload, const LoadSpec& spec);

/// Runs `spec` against any target (a peer to compare with, a host's own service): `send` is
/// called on the driver threads (one in async mode, `spec.concurrency` in sync mode) and the
/// target calls `LoadTicket::done` once per accepted event, from any thread. Blocks until every
/// accepted event is done, so a target that never calls `done` hangs the run. Fails as above.
[[nodiscard]] Expected<LoadReport> run_load(const LoadSpec& spec, const LoadSend& send);

}  // namespace nanofaas
