// Fuzzes the trace header parsers (nanofaas/trace_context.hpp): the input is a header value,
// read as W3C traceparent and as X-Amzn-Trace-Id. Properties: no crash or throw; an error is
// `invalid_argument` with a message; whatever parses is a valid trace, and its formatted forms
// parse back to the same context.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "nanofaas/trace_context.hpp"

namespace {

using nanofaas::TraceContext;

void check(const nanofaas::Expected<TraceContext>& parsed) {
  if (!parsed) {
    NANOFAAS_FUZZ_CHECK(parsed.error().code == nanofaas::Errc::invalid_argument, "error code");
    NANOFAAS_FUZZ_CHECK(!parsed.error().message.empty(), "error message");
    return;
  }
  const TraceContext& c = *parsed;
  NANOFAAS_FUZZ_CHECK(c.valid(), "a parsed trace has an id");
  const auto xray = TraceContext::from_x_amzn_trace_id(c.x_amzn_trace_id());
  NANOFAAS_FUZZ_CHECK(xray && *xray == c, "X-Amzn-Trace-Id round trip");
  if (c.span_id != 0) {  // W3C has no form without a parent
    const auto w3c = TraceContext::from_traceparent(c.traceparent());
    NANOFAAS_FUZZ_CHECK(w3c && *w3c == c, "traceparent round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(TraceContext::from_traceparent(text));
  check(TraceContext::from_x_amzn_trace_id(text));
  return 0;
}
