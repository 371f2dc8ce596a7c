#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "nanofaas/logging_config.hpp"

namespace nanofaas {

/// What the engine reports of one version of a function (Lambda's `GetFunctionConfiguration`,
/// with the function's reservation and the version's provisioned concurrency).
struct FunctionInfo {
  std::string function_name{};
  /// "$LATEST" or a published version's number.
  std::string version{};
  std::string description{};
  std::chrono::nanoseconds timeout{0};
  std::map<std::string, std::string> environment{};
  /// The function's reservation (`GetFunctionConcurrency`); unset when it has none.
  std::optional<std::uint32_t> reserved_concurrency{};
  /// Provisioned concurrency asked for on this version, and how many of those environments
  /// are initialised (`GetProvisionedConcurrencyConfig`'s requested and available counts).
  std::uint32_t provisioned_concurrency = 0;
  std::uint32_t provisioned_ready = 0;
  /// The version's log format and levels (its own `LoggingConfig`, or the engine's).
  LoggingConfig logging{};
};

}  // namespace nanofaas
