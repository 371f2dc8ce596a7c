#include "exec/environment_spec.hpp"

#include <cstdio>
#include <utility>

namespace nanofaas::detail {

EnvironmentSpec::EnvironmentSpec(ExecHost& exec_host, std::string function, std::string version,
                                 std::shared_ptr<const HandlerFactory> handler_factory,
                                 std::chrono::nanoseconds handler_timeout, std::size_t max_response,
                                 std::map<std::string, std::string, std::less<>> variables,
                                 std::uint32_t workers)
    : host(&exec_host),
      function_name(std::move(function)),
      name(std::move(version)),
      factory(std::move(handler_factory)),
      timeout(handler_timeout),
      max_response_bytes(max_response),
      environment(std::move(variables)),
      pool(workers),
      counters(&exec_host.worker_hooks(), workers, exec_host.metrics()) {
  char text[64];
  std::snprintf(text, sizeof text, "Task timed out after %.2f seconds",
                std::chrono::duration<double>(timeout).count());
  timeout_message = text;
}

}  // namespace nanofaas::detail
