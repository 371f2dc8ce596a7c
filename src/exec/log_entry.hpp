#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/logging_config.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

/// What a log entry reports: Lambda's platform records around an environment's init and an
/// invocation, a handler's line, or an engine fault outside any invocation.
enum class LogKind : std::uint8_t { init_start, init_report, start, function, end, report, fault };

/// How an invocation ended, as `platform.runtimeDone` and `platform.report` say it.
enum class LogStatus : std::uint8_t { success, error, timeout };

/// One log record as a worker hands it to the writer thread: the facts only, formatted there.
/// The names point into the function version, which lives as long as the engine.
struct LogEntry {
  LogKind kind = LogKind::function;
  LogLevel level = LogLevel::info;
  LogStatus status = LogStatus::success;
  LogFormat format = LogFormat::text;
  std::string_view function_name{};
  std::string_view version{};
  RequestId request_id{};    // unset during init and for faults
  std::int64_t time_ns = 0;  // wall clock (system_clock) since the epoch
  std::int64_t duration_ns = 0;
  std::int64_t init_duration_ns = -1;  // -1: a warm start
  bool provisioned = false;            // an init's: provisioned concurrency's, not a call's
  std::string text{};   // the handler's message, the fault's, or a failed init's error type
  std::string owner{};  // a fault's function name, owned: its source may go first
};

/// The wall-clock time of a record, in nanoseconds since the epoch.
inline std::int64_t log_time_now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Appends `entry` as the line Lambda writes, in its format, without a newline.
void format_log_line(const LogEntry& entry, std::string& out);

}  // namespace nanofaas::detail
