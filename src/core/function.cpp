#include "core/function.hpp"

#include "core/engine_core.hpp"

namespace nanofaas::detail {

Version::Version(EngineCore& engine_core, Function& owner, std::string version_name,
                 std::shared_ptr<const HandlerFactory> handler_factory,
                 const FunctionConfig& config, const AsyncConfig* async_config,
                 std::chrono::nanoseconds keep_alive_default, std::size_t max_request,
                 std::size_t max_response, std::uint32_t workers,
                 std::unique_ptr<AsyncQueue> event_queue)
    : EnvironmentSpec(engine_core, owner.name, std::move(version_name), std::move(handler_factory),
                      config.timeout,
                      config.max_response_bytes != 0 ? config.max_response_bytes : max_response,
                      {config.environment.begin(), config.environment.end()},
                      config.logging.value_or(engine_core.config.logging), workers),
      engine(&engine_core),
      function(&owner),
      keep_alive(config.keep_alive.value_or(keep_alive_default)),
      max_request_bytes(config.max_request_bytes != 0 ? config.max_request_bytes : max_request),
      async(async_config),
      recursive_loop(config.recursive_loop),
      queue(std::move(event_queue)),
      durable_queue(queue->durable()) {}

}  // namespace nanofaas::detail
