#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"
#include "nanofaas/span.hpp"

namespace nanofaas {

/// Appends `spans` as one OTLP/JSON `ExportTraceServiceRequest` on one line (no newline):
/// `{"resourceSpans":[{"resource":{…"service.name"…},"scopeSpans":[{"scope":{"name":
/// "nanofaas"},"spans":[…]}]}]}`, ids as lowercase hex, times as decimal strings, attributes
/// in OpenTelemetry's FaaS conventions (`faas.name`, `faas.version`, `faas.invocation_id`,
/// `faas.coldstart`) and `nanofaas.*` ones (kind, outcome, attempt, detail).
NANOFAAS_API void append_otlp_json(std::string& out, std::span<const Span> spans,
                                   std::string_view service_name = "nanofaas");

/// A `SpanExporter` that writes each span as one OTLP/JSON line (`append_otlp_json`, then
/// '\n') to `write_line`, on the thread the span ends on: `write_line` must not block
/// (append to a buffer, or hand the line to a writer thread). Formatting allocates.
[[nodiscard]] NANOFAAS_API SpanExporter otlp_json_lines_exporter(
    std::function<void(std::string_view line)> write_line, std::string service_name = "nanofaas");

}  // namespace nanofaas
