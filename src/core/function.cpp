#include "core/function.hpp"

#include <cstdio>

namespace nanofaas::detail {

Version::Version(EngineCore& engine_core, Function& owner, std::string version_name,
                 std::shared_ptr<const HandlerFactory> handler_factory,
                 const FunctionConfig& config, const AsyncConfig* async_config,
                 std::chrono::nanoseconds keep_alive_default, std::size_t max_request,
                 std::size_t max_response, std::uint32_t workers)
    : engine(&engine_core),
      function(&owner),
      name(std::move(version_name)),
      factory(std::move(handler_factory)),
      timeout(config.timeout),
      keep_alive(config.keep_alive.value_or(keep_alive_default)),
      max_request_bytes(config.max_request_bytes != 0 ? config.max_request_bytes : max_request),
      max_response_bytes(config.max_response_bytes != 0 ? config.max_response_bytes : max_response),
      environment(config.environment.begin(), config.environment.end()),
      async(async_config),
      recursive_loop(config.recursive_loop),
      queue(std::make_unique<InMemoryAsyncQueue>(async_config->max_queue_depth)),
      pool(workers) {
  char text[64];
  std::snprintf(text, sizeof text, "Task timed out after %.2f seconds",
                std::chrono::duration<double>(timeout).count());
  timeout_message = text;
}

}  // namespace nanofaas::detail
