// Spans in OTLP's JSON encoding, read back with simdjson.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/otlp_json.hpp"

namespace {

using namespace nanofaas;

Span sample_span() {
  Span s;
  s.trace = TraceContext{0x4bf92f3577b34da6u, 0xa3ce929d0e0e4736u, 0x00f067aa0ba902b7u, true};
  s.span_id = 0x1122334455667788u;
  s.kind = SpanKind::event_attempt;
  s.outcome = SpanOutcome::function_error;
  s.function_name = "work";
  s.function_version = "$LATEST";
  s.request_id = RequestId{1, 2};
  s.start_unix_nano = 1'700'000'000'123'456'789;
  s.end_unix_nano = 1'700'000'000'223'456'789;
  s.cold_start = true;
  s.attempt = 2;
  s.detail = "Oops \"quoted\"";
  return s;
}

/// The value of attribute `key` of `span`, as JSON text of its one member.
std::string attribute(simdjson::dom::element span, std::string_view key) {
  for (simdjson::dom::element a : span["attributes"].get_array()) {
    if (std::string_view(a["key"].get_string()) == key) {
      return simdjson::minify(a["value"]);
    }
  }
  return {};
}

TEST(OtlpJsonTest, ASpanIsOneLineOfOtlpJson) {
  std::vector<std::string> lines;
  SpanExporter exporter =
      otlp_json_lines_exporter([&](std::string_view line) { lines.emplace_back(line); }, "shop");
  exporter(sample_span());
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);

  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(line);
  simdjson::dom::element rs = doc["resourceSpans"].at(0);
  simdjson::dom::element resource_attr = rs["resource"]["attributes"].at(0);
  EXPECT_EQ(std::string_view(resource_attr["key"].get_string()), "service.name");
  EXPECT_EQ(std::string_view(resource_attr["value"]["stringValue"].get_string()), "shop");
  simdjson::dom::element scope = rs["scopeSpans"].at(0);
  EXPECT_EQ(std::string_view(scope["scope"]["name"].get_string()), "nanofaas");
  simdjson::dom::element span = scope["spans"].at(0);
  EXPECT_EQ(std::string_view(span["traceId"].get_string()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(span["spanId"].get_string()), "1122334455667788");
  EXPECT_EQ(std::string_view(span["parentSpanId"].get_string()), "00f067aa0ba902b7");
  EXPECT_EQ(std::string_view(span["name"].get_string()), "work:$LATEST");
  EXPECT_EQ(int64_t(span["kind"]), 5);  // SPAN_KIND_CONSUMER
  // 64-bit integers are strings in OTLP/JSON.
  EXPECT_EQ(std::string_view(span["startTimeUnixNano"].get_string()), "1700000000123456789");
  EXPECT_EQ(std::string_view(span["endTimeUnixNano"].get_string()), "1700000000223456789");
  EXPECT_EQ(attribute(span, "faas.name"), R"({"stringValue":"work"})");
  EXPECT_EQ(attribute(span, "faas.version"), R"({"stringValue":"$LATEST"})");
  EXPECT_EQ(attribute(span, "faas.coldstart"), R"({"boolValue":true})");
  EXPECT_EQ(attribute(span, "nanofaas.attempt"), R"({"intValue":"2"})");
  EXPECT_EQ(attribute(span, "nanofaas.kind"), R"({"stringValue":"event_attempt"})");
  EXPECT_EQ(attribute(span, "nanofaas.outcome"), R"({"stringValue":"function_error"})");
  EXPECT_EQ(attribute(span, "nanofaas.detail"), R"({"stringValue":"Oops \"quoted\""})");
  EXPECT_EQ(int64_t(span["status"]["code"]), 2);  // STATUS_CODE_ERROR
}

TEST(OtlpJsonTest, ARootSpanHasNoParentAndAnOkStatus) {
  Span s = sample_span();
  s.trace.span_id = 0;
  s.outcome = SpanOutcome::ok;
  s.kind = SpanKind::invoke;
  s.detail = {};
  std::string out;
  append_otlp_json(out, std::span<const Span>(&s, 1));
  simdjson::dom::parser parser;
  simdjson::dom::element span =
      parser.parse(out)["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"].at(0);
  EXPECT_EQ(span["parentSpanId"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(int64_t(span["kind"]), 2);  // SPAN_KIND_SERVER
  EXPECT_EQ(int64_t(span["status"]["code"]), 1);
  EXPECT_EQ(attribute(span, "nanofaas.detail"), "");
}

TEST(OtlpJsonTest, ABatchOfSpansIsOneRequest) {
  std::vector<Span> spans(3, sample_span());
  for (std::size_t i = 0; i < spans.size(); ++i) spans[i].span_id = i + 1;
  std::string out;
  append_otlp_json(out, spans);
  simdjson::dom::parser parser;
  simdjson::dom::array list = parser.parse(out)["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(std::string_view(list.at(2)["spanId"].get_string()), "0000000000000003");
}

}  // namespace
