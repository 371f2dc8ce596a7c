#include "exec/environment_spec.hpp"
#include "exec/exec_host.hpp"
#include "exec/invocation.hpp"

// Spans of invocations, handed to the host's exporter where they end.

namespace nanofaas::detail {

void ExecHost::export_span(const Span& span) const noexcept {
  if (exporter_ == nullptr || !span.trace.sampled) return;
  try {
    (*exporter_)(span);
  } catch (...) {
    // The host's exporter threw: the span is lost, the invocation is not.
  }
}

void ExecHost::export_invocation_span(const Invocation& invocation, time_point start,
                                      time_point end, bool cold_start,
                                      bool timed_out) const noexcept {
  if (exporter_ == nullptr || !invocation.trace.sampled) return;
  const InvokeOutput& out = invocation.out;
  TraceContext parent = invocation.trace;
  parent.span_id = invocation.parent_span;
  // Built whole, so that no member is written twice on this per-invocation path.
  const Span span{.trace = parent,
                  .span_id = invocation.trace.span_id,
                  .kind = invocation.event != nullptr   ? SpanKind::event_attempt
                          : invocation.batch != nullptr ? SpanKind::mapping_batch
                                                        : SpanKind::invoke,
                  .outcome = timed_out            ? SpanOutcome::timeout
                             : out.function_error ? SpanOutcome::function_error
                                                  : SpanOutcome::ok,
                  .function_name = invocation.spec->function_name,
                  .function_version = invocation.spec->name,
                  .request_id = out.request_id,
                  .start_unix_nano = unix_nanos(start),
                  .end_unix_nano = unix_nanos(end),
                  .cold_start = cold_start,
                  .attempt = invocation.attempt,
                  .detail = out.function_error ? std::string_view(out.function_error->error_type)
                                               : std::string_view()};
  export_span(span);
}

}  // namespace nanofaas::detail
