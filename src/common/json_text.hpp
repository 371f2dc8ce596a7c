#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace nanofaas::detail {

/// Appends `s` as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);
/// Appends a payload as a JSON value: itself when it is valid JSON (as Lambda embeds events),
/// else as a JSON string.
void append_json_value(std::string& out, std::string_view payload);
/// ISO 8601 in UTC with milliseconds, as Lambda's records write timestamps.
std::string iso8601(std::chrono::system_clock::time_point time);

}  // namespace nanofaas::detail
