#include "exec/environment_spec.hpp"

#include <cstdio>
#include <utility>

namespace nanofaas::detail {

EnvironmentSpec::EnvironmentSpec(ExecHost& exec_host, std::string_view function,
                                 std::string version,
                                 std::shared_ptr<const HandlerFactory> handler_factory,
                                 std::chrono::nanoseconds handler_timeout, std::size_t max_response,
                                 std::map<std::string, std::string, std::less<>> variables,
                                 const LoggingConfig& log_config, std::uint32_t workers)
    : host(&exec_host),
      function_name(function),
      name(std::move(version)),
      factory(std::move(handler_factory)),
      timeout(handler_timeout),
      max_response_bytes(max_response),
      environment(std::move(variables)),
      logging(log_config),
      log_format(logging.log_format),
      // Lambda filters by level in JSON format only: in text every line is written.
      min_function_level(log_format == LogFormat::json ? logging.application_log_level
                                                       : LogLevel::trace),
      log_start(log_format == LogFormat::text || logging.system_log_level <= LogLevel::info),
      log_end(log_format == LogFormat::text || logging.system_log_level <= LogLevel::debug),
      log_report(log_start),
      pool(workers),
      counters(&exec_host.worker_hooks(), workers, exec_host.metrics()) {}

std::string EnvironmentSpec::timeout_message() const {
  char text[64];
  std::snprintf(text, sizeof text, "Task timed out after %.2f seconds",
                std::chrono::duration<double>(timeout).count());
  return text;
}

}  // namespace nanofaas::detail
