#pragma once

#include <cstdint>
#include <string_view>

#include "common/callee.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {

struct BatchCall;

/// One synchronous call as the core's invoke path takes it: from the host, a handler's nested
/// call, or a mapping's batch.
struct InvokeRequest {
  /// "name", "name:$LATEST", "name:7" or "name:alias", or a handle resolved before.
  Callee callee{std::string_view{}};
  /// The event's bytes, read in place by the handler.
  PayloadView payload{};
  /// When set, the caller hands these bytes over (`payload` views them): they stay valid past
  /// a timeout.
  Payload* owned = nullptr;
  /// Who calls (checked against the resource policy; empty: the host) and Lambda's client
  /// context for the handler; both read during the call only.
  std::string_view principal{};
  std::string_view client_context{};
  /// Lambda's `LogType: Tail`: the handler's log lines come back with the result.
  bool tail_log = false;
  /// The trace the call continues, its `span_id` the caller's span; null: a new trace. Read
  /// before the call runs.
  const TraceContext* trace = nullptr;
  /// How deep in a chain of invocations this call is (1 from the host).
  std::uint32_t depth = 1;
  /// The calling handler's deadline, past which a nested caller stops waiting (max for the
  /// host).
  Clock::time_point parent_deadline = Clock::time_point::max();
  /// A mapping's batch (the event), from a poller fiber, which waits until the handler
  /// returns even past its deadline (the records must outlive it).
  BatchCall* batch = nullptr;
};

}  // namespace nanofaas::detail
