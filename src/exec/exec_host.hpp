#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

class WorkerHooks;
struct EnvironmentSpec;
struct Invocation;

/// What environments and handlers' contexts reach above the execution layer: the engine that
/// owns them. Implemented by the engine; its calls are Lambda's invocation paths.
class ExecHost {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// A synchronous invocation (or one whose environment failed to start) finished: the
  /// engine releases its concurrency and hands the result to the caller. May free it.
  virtual void complete(Invocation& invocation, bool timed_out) noexcept = 0;
  /// A handler's nested `RequestResponse` call, `depth` deep, waited for until
  /// `parent_deadline` at the latest.
  virtual InvokeResult nested_invoke(std::string_view qualified_name, PayloadView payload,
                                     const InvokeOptions& options, std::uint32_t depth,
                                     Clock::time_point parent_deadline) = 0;
  /// A handler's nested `Event` call, `depth` deep (the bytes are copied).
  virtual Expected<RequestId> nested_invoke_async(std::string_view qualified_name,
                                                  PayloadView payload, std::uint32_t depth) = 0;
  /// Sends a handler's log line (`request_id` empty during init) to the engine's sink.
  virtual void log(const EnvironmentSpec& spec, std::string_view request_id,
                   std::string_view message) const = 0;
  /// True when the engine's log sink is set (a handler's `log` costs nothing otherwise).
  [[nodiscard]] bool logging() const noexcept { return logging_; }
  /// The engine's workers (their threads write their own copies of a version's counters).
  [[nodiscard]] virtual const WorkerHooks& worker_hooks() const noexcept = 0;
  /// False when the engine's metrics are off: versions then count no invocations or durations.
  [[nodiscard]] bool metrics() const noexcept { return metrics_; }

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
  ExecHost(const Clock* clock, bool logging, bool metrics) noexcept
      : clock_(clock), logging_(logging), metrics_(metrics) {}
  ~ExecHost() = default;

  std::atomic<bool> accepting_{true};

 private:
  const Clock* clock_;
  bool logging_;
  bool metrics_;
};

}  // namespace nanofaas::detail
