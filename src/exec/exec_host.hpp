#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/callee.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/span.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {

class WorkerHooks;
struct EnvironmentSpec;
struct Invocation;
class LogWriter;

/// What environments and handlers' contexts reach above the execution layer: the engine that
/// owns them. Implemented by the engine; its calls are Lambda's invocation paths.
class ExecHost {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// A synchronous invocation (or one whose environment failed to start) finished: the
  /// engine releases its concurrency and hands the result to the caller. May free it.
  virtual void complete(Invocation& invocation, bool timed_out) noexcept = 0;
  /// A handler's nested `RequestResponse` call, `depth` deep, continuing `trace` (the
  /// handler's span as parent), waited for until `parent_deadline` at the latest.
  virtual InvokeResult nested_invoke(Callee callee, PayloadView payload,
                                     const InvokeOptions& options, std::uint32_t depth,
                                     const TraceContext& trace,
                                     Clock::time_point parent_deadline) = 0;
  /// A handler's nested `Event` call, `depth` deep, continuing `trace` (the bytes are copied).
  virtual Expected<RequestId> nested_invoke_async(Callee callee, PayloadView payload,
                                                  std::uint32_t depth,
                                                  const TraceContext& trace) = 0;
  /// The writer of the engine's log, or null when the engine has no log sink (then logging
  /// costs one test).
  [[nodiscard]] LogWriter* log_writer() const noexcept { return log_writer_; }
  /// The engine's workers (their threads write their own copies of a version's counters).
  [[nodiscard]] virtual const WorkerHooks& worker_hooks() const noexcept = 0;
  /// False when the engine's metrics are off: versions then count no invocations or durations.
  [[nodiscard]] bool metrics() const noexcept { return metrics_; }

  /// True when the engine has a span exporter (spans cost nothing otherwise).
  [[nodiscard]] bool tracing() const noexcept { return exporter_ != nullptr; }
  /// Hands `span` to the exporter (if its trace is sampled); swallows its exceptions.
  void export_span(const Span& span) const noexcept;
  /// Exports the span of an invocation that ran from `start` to `end` (steady times).
  void export_invocation_span(const Invocation& invocation, time_point start, time_point end,
                              bool cold_start, bool timed_out) const noexcept;
  /// A steady time as nanoseconds since the Unix epoch (by the offset read at start).
  [[nodiscard]] std::int64_t unix_nanos(time_point t) const noexcept {
    return (t.time_since_epoch() + unix_offset_).count();
  }
  [[nodiscard]] std::chrono::seconds unix_seconds(time_point t) const noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch() + unix_offset_);
  }

  /// False once the engine stops accepting calls: a lost provisioned environment is then
  /// not replaced.
  [[nodiscard]] bool accepting() const noexcept {
    return accepting_.load(std::memory_order_relaxed);
  }
  /// Time for keep-alive stamps: `end` (steady) when the engine's clock is the steady clock.
  [[nodiscard]] time_point keep_alive_now(time_point end) const noexcept {
    return clock_ == nullptr ? end : clock_->now();
  }

 protected:
  /// `clock`: the engine's clock, or null when it is the steady clock.
  ExecHost(const Clock* clock, bool metrics) noexcept
      : clock_(clock),
        metrics_(metrics),
        unix_offset_(std::chrono::system_clock::now().time_since_epoch() -
                     std::chrono::steady_clock::now().time_since_epoch()) {}
  ~ExecHost() = default;
  /// The span exporter (null: none); set before the workers start.
  void set_span_exporter(const SpanExporter* exporter) noexcept { exporter_ = exporter; }

  std::atomic<bool> accepting_{true};
  LogWriter* log_writer_ = nullptr;  // set by the engine before its workers start

 private:
  const Clock* clock_;
  bool metrics_;
  const SpanExporter* exporter_ = nullptr;
  std::chrono::nanoseconds unix_offset_;
};

}  // namespace nanofaas::detail
