#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

/// What one invocation of a mapping's function with a batch came to.
struct BatchOutcome {
  enum class Kind : std::uint8_t { ok, function_error, throttled };
  Kind kind = Kind::ok;
  /// Indexes (into the invoked records) that failed, for `ok` with reported item failures.
  std::vector<std::size_t> failed;
  std::string state;
  std::string executed_version;
  std::string error_type;
  std::string error_message;
  bool handled = false;
  bool recursive = false;  // throttled: refused as a recursive loop
  RequestId request_id{};

  /// Lambda's `functionError` of a record about this outcome: "Handled", "Unhandled", or
  /// empty when there was no error.
  [[nodiscard]] std::string_view function_error() const noexcept {
    if (error_type.empty()) return {};
    return handled ? "Handled" : "Unhandled";
  }
};

}  // namespace nanofaas::detail
