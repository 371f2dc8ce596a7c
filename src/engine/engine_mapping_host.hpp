#pragma once

#include "esm/mapping_host.hpp"

namespace nanofaas::detail {

class AsyncDispatcher;
struct EngineCore;
struct MappingRegistry;

/// `MappingHost` on the engine: its core's sync path and workers, its asynchronous
/// dispatcher's delivery, and its registry of mappings.
class EngineMappingHost final : public MappingHost {
 public:
  EngineMappingHost(EngineCore& core, AsyncDispatcher& async, MappingRegistry& registry) noexcept
      : core_(core), async_(async), registry_(registry) {}

  InvokeResult invoke_batch(std::string_view function, std::uint32_t depth,
                            BatchCall& call) override;
  Worker& worker_for(std::uint32_t index) noexcept override;
  const Clock& clock() const noexcept override;
  bool clock_is_steady() const noexcept override;
  void log_fault(std::string_view function_name, std::string_view message) noexcept override;
  bool deliver(const Destination& destination, const InvocationRecord& record,
               std::uint32_t depth) noexcept override;
  RequestId new_request_id() noexcept override;
  std::uint32_t max_chain_depth() const noexcept override;
  void keep_poller_set(std::shared_ptr<PollerSet> set) override;
  std::unique_lock<std::mutex> lock_registry() override;

 private:
  EngineCore& core_;
  AsyncDispatcher& async_;
  MappingRegistry& registry_;
};

}  // namespace nanofaas::detail
