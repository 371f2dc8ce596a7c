#include "nanofaas/logging_config.hpp"

#include <array>
#include <string>

#include "common/fail.hpp"

namespace nanofaas {
namespace {

constexpr std::array<std::string_view, 6> level_names = {"TRACE", "DEBUG", "INFO",
                                                         "WARN",  "ERROR", "FATAL"};

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  const auto i = static_cast<std::size_t>(level);
  return i < level_names.size() ? level_names[i] : std::string_view("INFO");
}

std::string_view to_string(LogFormat format) noexcept {
  return format == LogFormat::json ? "JSON" : "Text";
}

Expected<LogLevel> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < level_names.size(); ++i) {
    if (text == level_names[i]) return static_cast<LogLevel>(i);
  }
  return detail::fail(Errc::invalid_argument,
                      "log level '" + std::string(text) +
                          "' must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL");
}

Expected<LogFormat> parse_log_format(std::string_view text) {
  if (text == "Text") return LogFormat::text;
  if (text == "JSON") return LogFormat::json;
  return detail::fail(Errc::invalid_argument,
                      "log format '" + std::string(text) + "' must be one of Text, JSON");
}

}  // namespace nanofaas
