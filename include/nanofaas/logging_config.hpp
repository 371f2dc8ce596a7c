#pragma once

#include <cstdint>
#include <string_view>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

/// Lambda's `LogFormat`: plain text lines, or one JSON object per line.
enum class LogFormat : std::uint8_t { text, json };

/// Lambda's log levels, from the most detail to the least. Application logs use all six;
/// system (platform) logs only `debug`, `info` and `warn`.
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, fatal };

/// Lambda's `LoggingConfig` of a function. The levels filter only in JSON format, as in
/// Lambda: in text format every line is written.
struct LoggingConfig {
  LogFormat log_format = LogFormat::text;
  /// Lambda's `ApplicationLogLevel`: handler lines below it are dropped.
  LogLevel application_log_level = LogLevel::info;
  /// Lambda's `SystemLogLevel` (`debug`, `info` or `warn`): platform records below it are
  /// dropped (`platform.start` and `platform.report` are INFO, `platform.runtimeDone` DEBUG).
  LogLevel system_log_level = LogLevel::info;
};

/// Lambda's name of a level ("TRACE" … "FATAL") or format ("Text", "JSON").
NANOFAAS_API std::string_view to_string(LogLevel level) noexcept;
NANOFAAS_API std::string_view to_string(LogFormat format) noexcept;
/// The level or format Lambda's API names so (exactly, as Lambda spells it). Fails with
/// `invalid_argument` naming the accepted values.
[[nodiscard]] NANOFAAS_API Expected<LogLevel> parse_log_level(std::string_view text);
[[nodiscard]] NANOFAAS_API Expected<LogFormat> parse_log_format(std::string_view text);

}  // namespace nanofaas
