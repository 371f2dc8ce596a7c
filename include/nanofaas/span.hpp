#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

/// What a span stands for.
enum class SpanKind : std::uint8_t {
  invoke,         ///< a synchronous call (from the host, a handler, or over HTTP)
  event_attempt,  ///< one attempt at an asynchronous event (retries are attempts 2, 3, …)
  destination,    ///< an async event's outcome delivered to its destination or dead letters
  mapping_batch,  ///< an event source mapping's call with a batch of records
};

/// How the span's work ended.
enum class SpanOutcome : std::uint8_t {
  ok,
  function_error,  ///< the handler failed (`error_type` says how)
  timeout,         ///< `Sandbox.Timedout`
  throttled,       ///< refused: no concurrency left, or a recursive loop stopped
  failed,          ///< a destination or dead-letter delivery failed
};

/// One finished span, as `EngineConfig::span_exporter` gets it. Views are valid during the
/// exporter call only.
struct Span {
  /// The trace; `trace.span_id` is this span's parent (0: the trace's root).
  TraceContext trace{};
  /// This span's id (never 0).
  std::uint64_t span_id = 0;
  SpanKind kind = SpanKind::invoke;
  SpanOutcome outcome = SpanOutcome::ok;
  /// The function and the version that ran (a destination's: the event's function).
  std::string_view function_name{};
  std::string_view function_version{};
  /// The invocation's request id (a destination's: its event's).
  RequestId request_id{};
  /// Wall-clock start and end, nanoseconds since the Unix epoch.
  std::int64_t start_unix_nano = 0;
  std::int64_t end_unix_nano = 0;
  /// The run included a cold start's init.
  bool cold_start = false;
  /// Which attempt of an asynchronous event (1 for the first; 1 for other kinds).
  std::uint32_t attempt = 1;
  /// The function error's type, or the refusal's reason; a destination's condition
  /// ("Success", "RetriesExhausted", "EventAgeExceeded").
  std::string_view detail{};

  /// The span's name: "function:version".
  [[nodiscard]] std::string name() const {
    std::string n(function_name);
    n += ':';
    n += function_version;
    return n;
  }
  /// The trace context the span's own calls carry: this span as their parent.
  [[nodiscard]] TraceContext context() const noexcept {
    TraceContext c = trace;
    c.span_id = span_id;
    return c;
  }
};

/// Receives each finished span of a sampled trace, on the thread where the span ended (an
/// engine worker, usually): it must not block, and should be short (hand the span to a
/// queue of its own to write it out). Exceptions are swallowed.
using SpanExporter = std::function<void(const Span&)>;

}  // namespace nanofaas
