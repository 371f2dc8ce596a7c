#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "nanofaas/expected.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

/// A function error: the function ran (or was started) and failed. `Handled` when the handler
/// returned `Response::error`; `Unhandled` when it threw, timed out, or its init failed.
struct FunctionError {
  enum class Kind : std::uint8_t { handled, unhandled };
  Kind kind = Kind::unhandled;
  /// Lambda's `errorType`, e.g. "Sandbox.Timedout", "Runtime.InitError", "std::runtime_error".
  std::string error_type{};
  /// Lambda's `errorMessage`.
  std::string error_message{};
};

/// The outcome of a call that reached the function (Lambda's 200 with an optional
/// `X-Amz-Function-Error`).
struct InvokeOutput {
  RequestId request_id{};
  /// The response bytes, moved from the handler (empty on a function error).
  Payload payload{};
  /// Set when the function failed.
  std::optional<FunctionError> function_error{};
  /// Lambda's `ExecutedVersion`: "$LATEST" or a version number.
  std::string executed_version{};
  /// Handler run time; init time on a cold start.
  std::chrono::nanoseconds duration{0};
  std::optional<std::chrono::nanoseconds> init_duration{};
  /// The last `InvokeOptions::max_log_tail` bytes of the invocation's log, when the caller
  /// asked for them (Lambda's `LogType: Tail`): START, the handler's lines (`Context::log`),
  /// END and REPORT, a line each, in the function's log format and levels.
  std::string log_tail{};

  /// True when the function succeeded.
  [[nodiscard]] bool ok() const noexcept { return !function_error.has_value(); }
};

/// An engine error (the function did not run) or the call's output.
using InvokeResult = Expected<InvokeOutput>;

/// How a call identifies itself and what it carries besides the payload.
struct InvokeOptions {
  /// The calling principal, checked against the function's resource policy. Empty: the host.
  std::string_view principal{};
  /// Lambda's `ClientContext`, passed to the handler as is.
  std::string_view client_context{};
  /// Lambda's `LogType: Tail`: keep the invocation's log in `InvokeOutput::log_tail`.
  bool tail_log = false;
  /// The trace the call continues (a `traceparent` or `X-Amzn-Trace-Id` the caller got), read
  /// before the call runs; null or invalid: the calling handler's trace, a `TraceScope`'s, or
  /// a new one.
  const TraceContext* trace = nullptr;
  /// Lambda returns the last 4 KB of the log.
  static constexpr std::size_t max_log_tail = 4096;
};

/// Receives a call's result (`Engine::invoke` with a completion), on an engine worker thread:
/// it must not block.
using InvokeCompletion = std::function<void(InvokeResult&&)>;

}  // namespace nanofaas
