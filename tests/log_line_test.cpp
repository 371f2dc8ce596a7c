// Lambda's forms of the engine's log lines (src/exec/log_line.cpp), from known values.

#include <gtest/gtest.h>

#include <simdjson.h>

#include <string>

#include "exec/log_entry.hpp"

namespace nanofaas::detail {
namespace {

constexpr RequestId id{0x0123456789abcdefull, 0xfedcba9876543210ull};
constexpr std::int64_t noon = 1'767'268'800'123'456'789;  // 2026-01-01T12:00:00.123Z

LogEntry entry(LogKind kind, LogFormat format = LogFormat::text) {
  LogEntry e;
  e.kind = kind;
  e.format = format;
  e.function_name = "f";
  e.version = "3";
  e.request_id = id;
  e.time_ns = noon;
  return e;
}

std::string line(const LogEntry& e) {
  std::string out;
  format_log_line(e, out);
  return out;
}

TEST(LogLineTest, TextLinesAreLambdas) {
  const std::string rid = id.to_string();
  ASSERT_EQ(rid, "01234567-89ab-4def-bedc-ba9876543210");  // a UUID version 4, variant 1
  EXPECT_EQ(line(entry(LogKind::start)), "START RequestId: " + rid + " Version: 3");
  EXPECT_EQ(line(entry(LogKind::end)), "END RequestId: " + rid);
  LogEntry report = entry(LogKind::report);
  report.duration_ns = 1'234'000;
  report.init_duration_ns = 450'000;
  EXPECT_EQ(line(report), "REPORT RequestId: " + rid +
                              "\tDuration: 1.23 ms\tBilled Duration: 2 ms\tInit Duration: 0.45 ms");
  report.init_duration_ns = -1;
  report.duration_ns = 2'000'000;  // exactly 2 ms bills 2
  report.status = LogStatus::timeout;
  EXPECT_EQ(line(report), "REPORT RequestId: " + rid +
                              "\tDuration: 2.00 ms\tBilled Duration: 2 ms\tStatus: timeout");
  report.duration_ns = 300;  // at least 1 ms is billed
  report.status = LogStatus::success;
  EXPECT_EQ(line(report),
            "REPORT RequestId: " + rid + "\tDuration: 0.00 ms\tBilled Duration: 1 ms");
  LogEntry app = entry(LogKind::function);
  app.level = LogLevel::warn;
  app.text = "careful";
  EXPECT_EQ(line(app), "2026-01-01T12:00:00.123Z\t" + rid + "\tWARN\tcareful");
  app.request_id = {};  // during init
  EXPECT_EQ(line(app), "2026-01-01T12:00:00.123Z\tWARN\tcareful");
}

TEST(LogLineTest, JsonRecordsAreLambdas) {
  simdjson::dom::parser parser;
  LogEntry report = entry(LogKind::report, LogFormat::json);
  report.duration_ns = 1'234'000;
  report.init_duration_ns = 450'000;
  report.status = LogStatus::error;
  const std::string text = line(report);
  simdjson::dom::element e = parser.parse(simdjson::padded_string(text));
  EXPECT_EQ(std::string_view(e["time"]), "2026-01-01T12:00:00.123Z");
  EXPECT_EQ(std::string_view(e["type"]), "platform.report");
  EXPECT_EQ(std::string_view(e["record"]["requestId"]), id.to_string());
  EXPECT_EQ(std::string_view(e["record"]["status"]), "error");
  EXPECT_EQ(double(e["record"]["metrics"]["durationMs"]), 1.23);
  EXPECT_EQ(std::int64_t(e["record"]["metrics"]["billedDurationMs"]), 2);
  EXPECT_EQ(double(e["record"]["metrics"]["initDurationMs"]), 0.45);

  LogEntry app = entry(LogKind::function, LogFormat::json);
  app.level = LogLevel::error;
  app.text = "tab\there \"quoted\"";
  const std::string app_text = line(app);
  simdjson::dom::element a = parser.parse(simdjson::padded_string(app_text));
  EXPECT_EQ(std::string_view(a["timestamp"]), "2026-01-01T12:00:00.123Z");
  EXPECT_EQ(std::string_view(a["level"]), "ERROR");
  EXPECT_EQ(std::string_view(a["message"]), "tab\there \"quoted\"");
  EXPECT_EQ(std::string_view(a["requestId"]), id.to_string());

  const std::string start_text = line(entry(LogKind::start, LogFormat::json));
  simdjson::dom::element s = parser.parse(simdjson::padded_string(start_text));
  EXPECT_EQ(std::string_view(s["type"]), "platform.start");
  EXPECT_EQ(std::string_view(s["record"]["version"]), "3");
}

}  // namespace
}  // namespace nanofaas::detail
