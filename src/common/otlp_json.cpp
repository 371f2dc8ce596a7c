#include "nanofaas/otlp_json.hpp"

#include <cstdint>
#include <utility>

#include "nanofaas/json_writer.hpp"

// Spans in OTLP's JSON encoding: ids as hex, enums as integers, 64-bit integers as strings.

namespace nanofaas {
namespace {

std::string_view kind_name(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::invoke: return "invoke";
    case SpanKind::event_attempt: return "event_attempt";
    case SpanKind::destination: return "destination";
    case SpanKind::mapping_batch: return "mapping_batch";
  }
  return "invoke";
}

std::string_view outcome_name(SpanOutcome outcome) noexcept {
  switch (outcome) {
    case SpanOutcome::ok: return "ok";
    case SpanOutcome::function_error: return "function_error";
    case SpanOutcome::timeout: return "timeout";
    case SpanOutcome::throttled: return "throttled";
    case SpanOutcome::failed: return "failed";
  }
  return "ok";
}

/// OTLP's SpanKind: a call is served (SERVER), an event or batch consumed (CONSUMER), a
/// destination's record produced (PRODUCER).
int otlp_kind(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::invoke: return 2;
    case SpanKind::event_attempt: return 5;
    case SpanKind::destination: return 4;
    case SpanKind::mapping_batch: return 5;
  }
  return 1;
}

void string_attribute(JsonWriter& json, std::string_view key, std::string_view value) {
  json.begin_object().key("key").string(key).key("value").begin_object();
  json.key("stringValue").string(value).end_object().end_object();
}

void int_attribute(JsonWriter& json, std::string_view key, std::int64_t value) {
  json.begin_object().key("key").string(key).key("value").begin_object();
  json.key("intValue").string(std::to_string(value)).end_object().end_object();
}

void bool_attribute(JsonWriter& json, std::string_view key, bool value) {
  json.begin_object().key("key").string(key).key("value").begin_object();
  json.key("boolValue").boolean(value).end_object().end_object();
}

void write_span(JsonWriter& json, const Span& span) {
  json.begin_object();
  json.key("traceId").string(span.trace.trace_id_hex());
  json.key("spanId").string(to_hex16(span.span_id));
  if (span.trace.span_id != 0) json.key("parentSpanId").string(to_hex16(span.trace.span_id));
  json.key("name").string(span.name());
  json.key("kind").number(otlp_kind(span.kind));
  json.key("startTimeUnixNano").string(std::to_string(span.start_unix_nano));
  json.key("endTimeUnixNano").string(std::to_string(span.end_unix_nano));
  json.key("attributes").begin_array();
  string_attribute(json, "faas.name", span.function_name);
  string_attribute(json, "faas.version", span.function_version);
  if (span.request_id) string_attribute(json, "faas.invocation_id", span.request_id.to_string());
  bool_attribute(json, "faas.coldstart", span.cold_start);
  string_attribute(json, "nanofaas.kind", kind_name(span.kind));
  string_attribute(json, "nanofaas.outcome", outcome_name(span.outcome));
  int_attribute(json, "nanofaas.attempt", span.attempt);
  if (!span.detail.empty()) string_attribute(json, "nanofaas.detail", span.detail);
  json.end_array();
  // STATUS_CODE_OK (1) or STATUS_CODE_ERROR (2), with the reason as the message.
  json.key("status").begin_object();
  if (span.outcome == SpanOutcome::ok) {
    json.key("code").number(1);
  } else {
    json.key("code").number(2);
    if (!span.detail.empty()) json.key("message").string(span.detail);
  }
  json.end_object();
  json.end_object();
}

}  // namespace

void append_otlp_json(std::string& out, std::span<const Span> spans,
                      std::string_view service_name) {
  JsonWriter json(out);
  json.begin_object().key("resourceSpans").begin_array().begin_object();
  json.key("resource").begin_object().key("attributes").begin_array();
  string_attribute(json, "service.name", service_name);
  json.end_array().end_object();
  json.key("scopeSpans").begin_array().begin_object();
  json.key("scope").begin_object().key("name").string("nanofaas").end_object();
  json.key("spans").begin_array();
  for (const Span& span : spans) write_span(json, span);
  json.end_array();
  json.end_object().end_array();
  json.end_object().end_array().end_object();
}

SpanExporter otlp_json_lines_exporter(std::function<void(std::string_view line)> write_line,
                                      std::string service_name) {
  return [write = std::move(write_line), service = std::move(service_name)](const Span& span) {
    std::string line;
    line.reserve(1024);
    append_otlp_json(line, std::span<const Span>(&span, 1), service);
    line += '\n';
    write(line);
  };
}

}  // namespace nanofaas
