#include "engine/engine_mapping_host.hpp"

#include "async/async_dispatcher.hpp"
#include "core/engine_core.hpp"
#include "engine/mapping_registry.hpp"
#include "exec/log_writer.hpp"

namespace nanofaas::detail {

InvokeResult EngineMappingHost::invoke_batch(std::string_view function, std::uint32_t depth,
                                             BatchCall& call) {
  // The batch is the event: no payload of its own, and no caller deadline to give up at.
  return core_.invoke(InvokeRequest{.callee = function,
                                    .trace = call.trace.valid() ? &call.trace : nullptr,
                                    .depth = depth,
                                    .batch = &call});
}

Worker& EngineMappingHost::worker_for(std::uint32_t index) noexcept {
  return *core_.workers[index % core_.workers.size()];
}

const Clock& EngineMappingHost::clock() const noexcept {
  return *core_.config.clock;
}

bool EngineMappingHost::clock_is_steady() const noexcept {
  return core_.clock_is_steady;
}

void EngineMappingHost::log_fault(std::string_view function_name,
                                  std::string_view message) noexcept {
  LogWriter* writer = core_.log_writer();
  if (writer == nullptr) return;
  try {
    LogEntry e;
    e.kind = LogKind::fault;
    e.format = core_.config.logging.log_format;
    e.time_ns = log_time_now();
    e.text.assign(message);
    e.owner.assign(function_name);
    writer->push(std::move(e));
  } catch (...) {
    // No memory for the line: it is lost.
  }
}

bool EngineMappingHost::deliver(const Destination& destination, const InvocationRecord& record,
                                std::uint32_t depth) noexcept {
  return async_.deliver(destination, record, depth);
}

RequestId EngineMappingHost::new_request_id() noexcept {
  return core_.request_ids.next();
}

std::uint32_t EngineMappingHost::max_chain_depth() const noexcept {
  return EngineCore::max_chain_depth;
}

void EngineMappingHost::keep_poller_set(std::shared_ptr<PollerSet> set) {
  std::lock_guard lock(registry_.mutex);
  registry_.poller_sets.push_back(std::move(set));
}

std::unique_lock<std::mutex> EngineMappingHost::lock_registry() {
  return std::unique_lock(registry_.mutex);
}

}  // namespace nanofaas::detail
