#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "exec/log_entry.hpp"
#include "nanofaas/json_writer.hpp"
#include "nanofaas/version.hpp"

// Lambda's forms of its log lines: text (START, END, REPORT, the handler's lines) and JSON
// (`platform.*` records and application records).

namespace nanofaas::detail {
namespace {

// "2026-01-02T03:04:05.678Z": ISO 8601 in UTC with milliseconds, as Lambda writes times. The
// text up to the second is kept per thread: lines come many to a second.
struct Timestamp {
  explicit Timestamp(std::int64_t ns) {
    thread_local std::int64_t cached_second = -1;
    thread_local char cached[80];  // "2026-01-02T03:04:05" (room for any year, as printf sees it)
    const std::int64_t second = ns / 1'000'000'000;
    if (second != cached_second) {
      const auto seconds = static_cast<std::time_t>(second);
      std::tm tm{};
      gmtime_r(&seconds, &tm);
      std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      cached_second = second;
    }
    size = std::strlen(cached);
    std::memcpy(text, cached, size);
    const int millis = static_cast<int>((ns / 1'000'000) % 1000);
    text[size++] = '.';
    text[size++] = static_cast<char>('0' + millis / 100);
    text[size++] = static_cast<char>('0' + millis / 10 % 10);
    text[size++] = static_cast<char>('0' + millis % 10);
    text[size++] = 'Z';
  }
  [[nodiscard]] std::string_view view() const noexcept { return {text, size}; }
  char text[88];
  std::size_t size;
};

double milliseconds(std::int64_t ns) {
  return std::round(static_cast<double>(ns) / 10'000.0) / 100.0;  // two decimals, as Lambda
}

// Lambda bills whole milliseconds, rounded up, at least one.
std::int64_t billed_milliseconds(std::int64_t ns) {
  const std::int64_t ms = (ns + 999'999) / 1'000'000;
  return ms < 1 ? 1 : ms;
}

void append_ms(std::string& out, std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(ns) / 1e6);
  out += text;
}

std::string_view status_name(LogStatus status) {
  switch (status) {
    case LogStatus::success: return "success";
    case LogStatus::error: return "error";
    case LogStatus::timeout: return "timeout";
  }
  return "error";
}

// The runtime an environment runs, as INIT_START and `platform.initStart` name it.
constexpr std::string_view runtime_version = "nanofaas:" NANOFAAS_VERSION_STRING;

std::string_view initialization_type(const LogEntry& e) {
  return e.provisioned ? "provisioned-concurrency" : "on-demand";
}

void format_text(const LogEntry& e, std::string& out) {
  switch (e.kind) {
    case LogKind::init_start:
      out += "INIT_START Runtime Version: ";
      out += runtime_version;
      return;
    case LogKind::init_report:  // written for a failed init only, as Lambda does in text
      out += "INIT_REPORT Init Duration: ";
      append_ms(out, e.init_duration_ns);
      out += " ms\tPhase: init\tStatus: error\tError Type: ";
      out += e.text;
      return;
    case LogKind::start:
      out += "START RequestId: ";
      out += e.request_id.to_string();
      out += " Version: ";
      out += e.version;
      return;
    case LogKind::end:
      out += "END RequestId: ";
      out += e.request_id.to_string();
      return;
    case LogKind::report:
      out += "REPORT RequestId: ";
      out += e.request_id.to_string();
      out += "\tDuration: ";
      append_ms(out, e.duration_ns);
      out += " ms\tBilled Duration: ";
      out += std::to_string(billed_milliseconds(e.duration_ns));
      out += " ms";
      if (e.init_duration_ns >= 0) {
        out += "\tInit Duration: ";
        append_ms(out, e.init_duration_ns);
        out += " ms";
      }
      if (e.status == LogStatus::timeout) out += "\tStatus: timeout";
      return;
    case LogKind::function:
      // As Lambda's managed runtimes print a logger's line: time, request id, level, message.
      out += Timestamp(e.time_ns).view();
      out += '\t';
      if (e.request_id) {
        out += e.request_id.to_string();
        out += '\t';
      }
      out += to_string(e.level);
      out += '\t';
      out += e.text;
      return;
    case LogKind::fault: out += e.text; return;
  }
}

void format_json(const LogEntry& e, std::string& out) {
  JsonWriter json(out);
  json.begin_object();
  if (e.kind == LogKind::function) {
    json.key("timestamp").string(Timestamp(e.time_ns).view());
    json.key("level").string(to_string(e.level)).key("message").string(e.text);
    if (e.request_id) json.key("requestId").string(e.request_id.to_string());
    json.end_object();
    return;
  }
  json.key("time").string(Timestamp(e.time_ns).view());
  switch (e.kind) {
    case LogKind::init_start:
      json.key("type").string("platform.initStart").key("record").begin_object();
      json.key("initializationType").string(initialization_type(e)).key("phase").string("init");
      json.key("runtimeVersion").string(runtime_version);
      json.key("functionName").string(e.function_name).key("functionVersion").string(e.version);
      json.end_object();
      break;
    case LogKind::init_report:
      json.key("type").string("platform.initReport").key("record").begin_object();
      json.key("initializationType").string(initialization_type(e)).key("phase").string("init");
      json.key("status").string(e.text.empty() ? "success" : "error");
      if (!e.text.empty()) json.key("errorType").string(e.text);
      json.key("metrics").begin_object().key("durationMs").number(milliseconds(e.init_duration_ns));
      json.end_object().end_object();
      break;
    case LogKind::start:
      json.key("type").string("platform.start").key("record").begin_object();
      json.key("requestId").string(e.request_id.to_string()).key("version").string(e.version);
      json.end_object();
      break;
    case LogKind::end:
      json.key("type").string("platform.runtimeDone").key("record").begin_object();
      json.key("requestId").string(e.request_id.to_string());
      json.key("status").string(status_name(e.status));
      json.key("metrics").begin_object().key("durationMs").number(milliseconds(e.duration_ns));
      json.end_object().end_object();
      break;
    case LogKind::report:
      json.key("type").string("platform.report").key("record").begin_object();
      json.key("requestId").string(e.request_id.to_string()).key("metrics").begin_object();
      json.key("durationMs").number(milliseconds(e.duration_ns));
      json.key("billedDurationMs").number(billed_milliseconds(e.duration_ns));
      if (e.init_duration_ns >= 0) {
        json.key("initDurationMs").number(milliseconds(e.init_duration_ns));
      }
      json.end_object().key("status").string(status_name(e.status));
      json.end_object();
      break;
    default:  // a fault
      json.key("type").string("platform.fault").key("record").string(e.text);
      break;
  }
  json.end_object();
}

}  // namespace

void format_log_line(const LogEntry& entry, std::string& out) {
  if (entry.format == LogFormat::json) {
    format_json(entry, out);
  } else {
    format_text(entry, out);
  }
}

}  // namespace nanofaas::detail
