#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace nanofaas::detail {

/// ISO 8601 in UTC with milliseconds, as Lambda's records write timestamps.
std::string iso8601(std::chrono::system_clock::time_point time);

}  // namespace nanofaas::detail
