#include "http/control_support.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>

#include "http/function_ref.hpp"
#include "http/responses.hpp"

namespace nanofaas::http {

Expected<Page, Response> page(const ApiCall& call, std::size_t total) {
  Page result;
  std::size_t max_items = 50;
  if (auto text = call.param("MaxItems"); !text.empty()) {
    char* end = nullptr;
    const std::string copy(text);
    const long value = std::strtol(copy.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 10000) {
      return Unexpected(invalid_parameter("1 validation error detected: Value '" + copy +
                                          "' at 'maxItems' failed to satisfy constraint: Member "
                                          "must have value between 1 and 10000"));
    }
    max_items = static_cast<std::size_t>(value);
  }
  if (auto text = call.param("Marker"); !text.empty()) {
    char* end = nullptr;
    const std::string copy(text);
    const unsigned long value = std::strtoul(copy.c_str(), &end, 10);
    if (*end != '\0' || copy.front() == '-' || value > total) {
      return Unexpected(invalid_parameter("Invalid Marker: " + copy));
    }
    result.begin = value;
  }
  result.end = total - result.begin > max_items ? result.begin + max_items : total;
  if (result.end < total) result.next_marker = std::to_string(result.end);
  return result;
}

Expected<std::string> unqualified_name(std::string_view function_name) {
  auto name = qualified_name(function_name, {});
  if (name && name->find(':') != std::string::npos) {
    return Unexpected(
        Error{Errc::invalid_argument, "Function name '" + std::string(function_name) +
                                          "' must not carry a qualifier for this operation"});
  }
  return name;
}

Expected<std::string, Response> required_qualified_name(const ApiCall& call,
                                                        std::string_view function_name) {
  auto name = qualified_name(function_name, call.param("Qualifier"));
  if (!name) return Unexpected(error_response(name.error()));
  if (name->find(':') == std::string::npos) {
    return Unexpected(invalid_parameter(
        "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: "
        "Member must not be null (name a version or an alias)"));
  }
  return std::move(*name);
}

const std::string& server_start_iso8601() {
  static const std::string start = [] {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(millis));
    return std::string(buf);
  }();
  return start;
}

double epoch_seconds_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  // Millisecond precision, as Lambda writes it.
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) /
         1000.0;
}

std::string revision_id(std::string_view state) {
  const std::size_t h1 = std::hash<std::string_view>{}(state);
  const std::size_t h2 = std::hash<std::string>{}(std::string(state) + "#");
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(h1 & 0xffff),
                static_cast<unsigned>(h2 >> 48),
                static_cast<unsigned long long>(h2 & 0xffffffffffffULL));
  return buf;
}

std::string arn_of(const ApiContext& api, std::string_view function_name,
                   std::string_view qualifier) {
  std::string name(function_name);
  if (!qualifier.empty()) name.append(":").append(qualifier);
  return function_arn(api.config.region, api.config.account_id, name);
}

}  // namespace nanofaas::http
