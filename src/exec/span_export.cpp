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
  const InvokeOutput& out = invocation.out;
  Span span;
  span.trace = invocation.trace;
  span.trace.span_id = invocation.parent_span;
  span.span_id = invocation.trace.span_id;
  span.kind = invocation.event != nullptr   ? SpanKind::event_attempt
              : invocation.batch != nullptr ? SpanKind::mapping_batch
                                            : SpanKind::invoke;
  span.outcome = timed_out            ? SpanOutcome::timeout
                 : out.function_error ? SpanOutcome::function_error
                                      : SpanOutcome::ok;
  if (out.function_error) span.detail = out.function_error->error_type;
  span.function_name = invocation.spec->function_name;
  span.function_version = invocation.spec->name;
  span.request_id = out.request_id;
  span.start_unix_nano = unix_nanos(start);
  span.end_unix_nano = unix_nanos(end);
  span.cold_start = cold_start;
  span.attempt = invocation.attempt;
  export_span(span);
}

}  // namespace nanofaas::detail
