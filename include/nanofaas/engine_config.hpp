#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/async_queue.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/logging_config.hpp"
#include "nanofaas/span.hpp"

namespace nanofaas {

/// One line of a function's log, as the engine's writer thread hands it to the host's sink:
/// a handler's line (`Context::log`) or one the engine writes (START, END, REPORT, a fault).
/// The views are valid during the sink's call only.
struct LogRecord {
  /// Who wrote the line: the function's handler or the engine (Lambda's system logs).
  enum class Source : std::uint8_t { function, platform };
  std::string_view function_name{};
  std::string_view version{};
  std::string_view request_id{};  ///< empty for lines logged during init
  Source source = Source::function;
  LogLevel level = LogLevel::info;
  /// The handler's own text (for a fault, the engine's); empty for START, END and REPORT.
  std::string_view message{};
  /// The whole line as Lambda writes it, in the function's `LogFormat`, without a newline.
  std::string_view line{};
};

/// Engine-wide settings. Every field has Lambda's default where Lambda has one.
struct EngineConfig {
  /// Worker threads running environments (each a Boost.Fiber scheduler of its own).
  std::uint32_t workers = 2;
  /// Lambda's account concurrency limit: invocations in flight across all functions.
  std::uint32_t concurrency_limit = 1000;
  /// Reservations may not leave less than this for functions without one (Lambda: 100).
  std::uint32_t unreserved_concurrency_min = 100;
  /// Largest synchronous request and response (Lambda: 6 MB).
  std::size_t max_request_bytes = 6u << 20;
  std::size_t max_response_bytes = 6u << 20;
  /// Idle on-demand environments older than this are reclaimed.
  std::chrono::nanoseconds keep_alive = std::chrono::minutes(10);
  /// Stack reserved per environment; only touched pages use memory. A guard page sits below.
  std::size_t stack_size = 256u << 10;
  /// Stacks each worker keeps mapped and pre-faulted for cold starts, refilled while it is
  /// idle (mapping one costs ~10 µs on a VM). 0: map on demand.
  std::size_t stack_reserve = 16;
  /// How long an idle worker spins at most before it sleeps (spinning catches back-to-back
  /// calls without a futex wake; sleeping frees the core). The spin adapts: it shrinks while
  /// work does not come back within it, and at most one worker less than the machine has
  /// cores spins at a time.
  std::chrono::nanoseconds idle_spin = std::chrono::microseconds(50);
  /// How long a plain-thread caller spins for its result before it sleeps.
  std::chrono::nanoseconds caller_spin = std::chrono::microseconds(20);
  /// Largest accepted asynchronous event (Lambda: 1 MB).
  std::size_t max_async_request_bytes = 1u << 20;
  /// Throttled asynchronous events wait this long before their next try, doubling up to
  /// `async_throttle_backoff_max` (Lambda: 1 s growing to 5 minutes).
  std::chrono::nanoseconds async_throttle_backoff = std::chrono::seconds(1);
  std::chrono::nanoseconds async_throttle_backoff_max = std::chrono::minutes(5);
  /// How long the destructor lets queued events run before spilling the rest.
  std::chrono::nanoseconds shutdown_drain = std::chrono::seconds(5);
  /// Receives every event still queued when shutdown's drain ends (error code "Shutdown"), on
  /// the thread that shuts the engine down, or in an `invoke_async` that raced with it;
  /// unset: the function's dead-letter callback, queue and sink, else the event is counted as
  /// discarded.
  std::function<void(const DeadLetter&)> async_spill{};
  /// Makes the event queue of each new function version (`function`, `version`, the bound
  /// from `AsyncConfig::max_queue_depth`); unset: `make_in_memory_async_queue`. A null
  /// result fails the registration with `invalid_argument`.
  AsyncQueueFactory async_queue{};
  /// Receives every log line (handlers' lines and START, END, REPORT); unset: no log is
  /// written, at no cost. Called on a writer thread of the engine's own, one line at a time,
  /// so it may block without holding up a handler; the destructor waits for the last line.
  std::function<void(const LogRecord&)> log_sink{};
  /// Lines that may wait for the writer thread (about 150 bytes each, allocated with the
  /// engine when it has a sink); past it a new line is dropped and counted
  /// (`MetricsSnapshot::log_records_dropped`). At least 1.
  std::size_t log_buffer = 4096;
  /// The log format and levels of functions whose `FunctionConfig::logging` is unset.
  LoggingConfig logging{};
  /// Counts invocations, errors and durations per version (`Engine::metrics`); false: those
  /// read 0 and the invocation path skips them (throttles and async event counts remain).
  bool metrics = true;
  /// Receives every finished span of a sampled trace (see `SpanExporter`: on worker threads,
  /// never blocking); unset: traces still propagate, and spans cost nothing.
  SpanExporter span_exporter{};
  /// The clock for keep-alive; must outlive the engine.
  const Clock* clock = &Clock::steady();
};

}  // namespace nanofaas
