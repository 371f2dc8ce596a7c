#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "exec/counters.hpp"
#include "exec/exec_host.hpp"
#include "exec/pool.hpp"
#include "nanofaas/detail/handler.hpp"
#include "nanofaas/logging_config.hpp"

namespace nanofaas::detail {

/// What the execution environments of one function version are made from and report to: the
/// handler, its limits and variables, their pool, and the version's counters. Immutable but
/// for the pool and counters. The core's `Version` is one.
struct EnvironmentSpec {
  EnvironmentSpec(ExecHost& host, std::string_view function_name, std::string name,
                  std::shared_ptr<const HandlerFactory> factory, std::chrono::nanoseconds timeout,
                  std::size_t max_response_bytes,
                  std::map<std::string, std::string, std::less<>> environment,
                  const LoggingConfig& logging, std::uint32_t workers);

  ExecHost* host;
  std::string_view function_name;  // the function's own, which outlives its versions
  std::string name;                // the version: "$LATEST", "1", …
  std::shared_ptr<const HandlerFactory> factory;
  std::chrono::nanoseconds timeout;
  std::size_t max_response_bytes;
  std::map<std::string, std::string, std::less<>> environment;
  /// What the log of this version's invocations holds, from its `LoggingConfig`.
  LoggingConfig logging;
  LogFormat log_format;
  LogLevel min_function_level;  // handler lines below it are dropped (none in text)
  bool log_start;               // platform.start (START)
  bool log_end;                 // platform.runtimeDone (END)
  bool log_report;              // platform.report (REPORT)
  Pool pool;
  VersionCounters counters;

  /// Lambda's message for an invocation that hit `timeout`: "Task timed out after 3.00 seconds".
  [[nodiscard]] std::string timeout_message() const;
};

}  // namespace nanofaas::detail
