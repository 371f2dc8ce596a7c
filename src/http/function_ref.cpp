#include "http/function_ref.hpp"

#include <vector>

namespace nanofaas::http {
namespace {

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

Unexpected<Error> malformed(std::string_view function_name) {
  return Unexpected(
      Error{Errc::invalid_argument,
            "1 validation error detected: Value '" + std::string(function_name) +
                "' at 'functionName' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?"
                "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"});
}

}  // namespace

Expected<std::string> qualified_name(std::string_view function_name, std::string_view qualifier) {
  std::vector<std::string_view> parts = split(function_name, ':');
  std::string_view name;
  std::string_view derived;  // the qualifier written in the name
  if (parts.size() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function") {
    if (parts.size() > 8) return malformed(function_name);
    name = parts[6];
    if (parts.size() == 8) derived = parts[7];
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (parts.size() > 4) return malformed(function_name);
    name = parts[2];
    if (parts.size() == 4) derived = parts[3];
  } else if (parts.size() <= 2) {
    name = parts[0];
    if (parts.size() == 2) derived = parts[1];
  } else {
    return malformed(function_name);
  }
  if (name.empty() || (parts.size() == 2 && derived.empty())) return malformed(function_name);
  if (!derived.empty() && !qualifier.empty() && derived != qualifier) {
    return Unexpected(Error{Errc::invalid_argument,
                            "The derived qualifier from the function name does not match the "
                            "specified qualifier."});
  }
  std::string result(name);
  const std::string_view q = derived.empty() ? qualifier : derived;
  if (!q.empty()) result.append(":").append(q);
  return result;
}

std::string function_arn(std::string_view region, std::string_view account,
                         std::string_view qualified_name) {
  std::string arn = "arn:aws:lambda:";
  arn.append(region).append(":").append(account).append(":function:").append(qualified_name);
  return arn;
}

}  // namespace nanofaas::http
