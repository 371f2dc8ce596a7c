#pragma once

#include <functional>
#include <string_view>

#include "nanofaas/invoke_result.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas {

/// How an asynchronous event ended, for a caller of `invoke_async` that asked to be told.
struct AsyncOutcome {
  RequestId request_id{};
  /// "Success", "RetriesExhausted", "EventAgeExceeded" or "Shutdown" (spilled at shutdown).
  std::string_view condition{};
  /// The last invocation's output (its response, or its function error); an engine error
  /// when no invocation finished: `too_many_requests` (reserved concurrency 0, or no room to
  /// queue it again for a retry), `recursive_invocation`, or `unavailable` (event age
  /// exceeded, shutdown), with a message that says which.
  InvokeResult result{InvokeOutput{}};
};

/// Called once with an event's outcome, after its destinations, on a worker thread (or, for
/// spilled events, on the thread that shuts the engine down or in the `invoke_async` call
/// that raced with it). Keep it short and do not block; resolving a
/// `boost::fibers::promise` or posting to an executor is fine.
using AsyncCompletion = std::function<void(AsyncOutcome&&)>;

}  // namespace nanofaas
