#pragma once

#include "nanofaas/export.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

/// Continues a trace in work the engine cannot follow (a host's own thread, a fiber a handler
/// started, a request that came with a trace header): while a scope is alive,
/// `Engine::invoke` (without `InvokeOptions::trace`), `Engine::invoke_async`, `Queue::send`
/// and `Stream::put_record` made on its thread (on one of the engine's workers: on its fiber)
/// continue `trace`, as calls through a handler's `Context` continue the handler's. Destroy it
/// on the thread or fiber that made it; scopes nest. An invalid `trace` clears the scope.
///
///     nanofaas::TraceScope scope(ctx.trace());
///     (void)queue->send(payload);  // the message carries the handler's trace
class NANOFAAS_API TraceScope {
 public:
  explicit TraceScope(const TraceContext& trace) noexcept;
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  TraceContext trace_;
  const TraceContext** slot_ = nullptr;  // the thread's or the fiber's; null when none
  const TraceContext* saved_ = nullptr;
};

}  // namespace nanofaas
