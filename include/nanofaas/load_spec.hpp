#pragma once

#include <chrono>
#include <cstdint>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

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
struct NANOFAAS_API LoadSpec {
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

  /// Fails with `invalid_argument` naming the field: a `rate` that is not 0 or finite within
  /// [0.001, 1e9], not exactly one of `duration` and `count` positive, a negative `warmup`,
  /// `duration` + `warmup` or a count's schedule beyond 1e18 ns, `count` above 1e15,
  /// `concurrency` 0 or above 1024 (sync mode) or 1,000,000 (async), a null `clock`.
  [[nodiscard]] Status validate() const;
};

}  // namespace nanofaas
