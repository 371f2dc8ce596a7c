#include "esm/core_mapping_host.hpp"

#include "core/engine_core.hpp"
#include "esm/mapping.hpp"

namespace nanofaas::detail {

InvokeResult CoreMappingHost::invoke_batch(std::string_view function, std::uint32_t depth,
                                           BatchCall& call) {
  // The batch is the event: no payload of its own, and no caller deadline to give up at.
  return core_.invoke(function, PayloadView{}, nullptr, {}, depth, Clock::time_point::max(), &call);
}

Worker& CoreMappingHost::worker_for(std::uint32_t index) noexcept {
  return *core_.workers[index % core_.workers.size()];
}

const Clock& CoreMappingHost::clock() const noexcept {
  return *core_.config.clock;
}

bool CoreMappingHost::clock_is_steady() const noexcept {
  return core_.clock_is_steady;
}

void CoreMappingHost::log(const LogRecord& record) const {
  if (core_.config.log_sink) core_.config.log_sink(record);
}

bool CoreMappingHost::deliver(const Destination& destination, const InvocationRecord& record,
                              std::uint32_t depth) noexcept {
  return core_.deliver(destination, record, depth);
}

RequestId CoreMappingHost::new_request_id() noexcept {
  return core_.request_ids.next();
}

std::uint32_t CoreMappingHost::max_chain_depth() const noexcept {
  return EngineCore::max_chain_depth;
}

void CoreMappingHost::keep_poller_set(std::shared_ptr<PollerSet> set) {
  std::lock_guard lock(core_.mappings_mutex);
  core_.poller_sets.push_back(std::move(set));
}

std::unique_lock<std::mutex> CoreMappingHost::lock_registry() {
  return std::unique_lock(core_.mappings_mutex);
}

}  // namespace nanofaas::detail
