#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nanofaas/async_config.hpp"
#include "nanofaas/logging_config.hpp"

namespace nanofaas {

/// One statement of a function's resource policy: `principal` ("*" for anyone) may invoke the
/// function, on `qualifier` only when one is given (a version or alias name).
struct PolicyStatement {
  std::string principal{};
  std::string qualifier{};
};

/// Lambda's recursive loop detection setting (`PutFunctionRecursionConfig`).
enum class RecursiveLoop : std::uint8_t {
  terminate,  ///< a chain of invocations deeper than 16 is stopped (the default)
  allow,      ///< chains of any depth run
};

/// A function's configuration (Lambda's `CreateFunction` parameters that apply in-process).
struct FunctionConfig {
  /// 1–64 of [A-Za-z0-9_-]; unique in the engine.
  std::string name{};
  std::string description{};
  /// Lambda's `Timeout`: the caller gets `Sandbox.Timedout` at this deadline. Any positive value.
  std::chrono::nanoseconds timeout = std::chrono::seconds(3);
  /// Lambda's `ReservedConcurrentExecutions`: a guarantee carved from the engine limit and a
  /// cap; 0 throttles every invocation. Unset: the function shares the unreserved pool.
  std::optional<std::uint32_t> reserved_concurrency{};
  /// Environment variables the handler reads through its context (at most 4 KB in total).
  std::map<std::string, std::string> environment{};
  /// Idle environments older than this are reclaimed; unset: the engine's default.
  std::optional<std::chrono::nanoseconds> keep_alive{};
  /// Largest accepted synchronous request and handler response; 0: the engine's default.
  std::size_t max_request_bytes = 0;
  std::size_t max_response_bytes = 0;
  /// Who besides the host may invoke (empty: only the host, the default caller).
  std::vector<PolicyStatement> policy{};
  /// What happens to a chain of invocations (nested, asynchronous, destinations) that reaches
  /// this function deeper than 16: stopped (an error for a synchronous caller, failure
  /// handling for an event) and counted, or allowed.
  RecursiveLoop recursive_loop = RecursiveLoop::terminate;
  /// Lambda's `LoggingConfig`: the log format and levels; unset: `EngineConfig::logging`.
  std::optional<LoggingConfig> logging{};
  /// Asynchronous (`Event`) invocation: retries, event age, destinations, dead letters.
  AsyncConfig async{};
};

}  // namespace nanofaas
