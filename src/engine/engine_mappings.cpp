// The public API of event source mappings (Lambda's *EventSourceMapping calls).

#include <mutex>

#include "engine/engine_impl.hpp"
#include "engine/engine_mapping_host.hpp"
#include "esm/mapping.hpp"
#include "esm/mapping_validation.hpp"
#include "nanofaas/engine.hpp"
#include "runtime/worker.hpp"

namespace nanofaas {
using detail::fail;

namespace {

Status not_on_worker(const detail::EngineCore& core, std::string_view call) {
  if (core.own_worker() != nullptr) {
    return fail(Errc::invalid_argument,
                std::string(call) +
                    " waits for the mapping's pollers: call it from a thread "
                    "that is not one of the engine's workers");
  }
  return {};
}

// Lambda's checks of a mapping's settings, of its function, and of the two together.
Status check_mapping(const detail::EngineCore& core, const EventSourceMappingConfig& config) {
  if (auto valid = detail::validate_mapping(config); !valid) return valid;
  auto target = core.validate(config.function_name, 0, {});
  if (!target) return Unexpected(std::move(target).error());
  // Every version of a function has $LATEST's timeout, so an alias's route needs no other.
  return detail::validate_visibility(*config.source, target->version->timeout);
}

}  // namespace

Expected<std::string> Engine::create_event_source_mapping(EventSourceMappingConfig config) {
  if (auto valid = check_mapping(*impl_, config); !valid) return Unexpected(valid.error());
  ReaderOptions options;
  options.starting_position = config.starting_position.value_or(StartingPosition::latest);
  options.timestamp = config.starting_position_timestamp;
  auto reader = config.source->open(options);
  if (!reader) return Unexpected(std::move(reader).error());
  std::lock_guard ops(impl_->mappings.ops_mutex);
  if (impl_->mappings.closed) return fail(Errc::unavailable, "the engine is shutting down");
  std::string uuid = impl_->request_ids.next().to_string();
  auto mapping = std::make_unique<detail::Mapping>(
      std::make_unique<detail::EngineMappingHost>(*impl_, impl_->async, impl_->mappings), uuid,
      std::move(config), std::move(*reader));
  detail::Mapping& m = *mapping;
  {
    std::lock_guard lock(impl_->mappings.mutex);
    impl_->mappings.by_uuid.emplace(uuid, std::move(mapping));
  }
  m.start();
  return uuid;
}

Expected<EventSourceMappingConfig> Engine::get_event_source_mapping(std::string_view uuid) const {
  std::lock_guard lock(impl_->mappings.mutex);
  auto it = impl_->mappings.by_uuid.find(uuid);
  if (it == impl_->mappings.by_uuid.end()) {
    return fail(Errc::not_found, "Event source mapping not found: " + std::string(uuid));
  }
  return it->second->config();
}

Status Engine::update_event_source_mapping(std::string_view uuid, EventSourceMappingConfig config) {
  if (auto ok = not_on_worker(*impl_, "update_event_source_mapping"); !ok) return ok;
  if (auto valid = check_mapping(*impl_, config); !valid) return valid;
  std::lock_guard ops(impl_->mappings.ops_mutex);
  if (impl_->mappings.closed) return fail(Errc::unavailable, "the engine is shutting down");
  detail::Mapping* m = nullptr;
  {
    std::lock_guard lock(impl_->mappings.mutex);
    auto it = impl_->mappings.by_uuid.find(uuid);
    if (it == impl_->mappings.by_uuid.end()) {
      return fail(Errc::not_found, "Event source mapping not found: " + std::string(uuid));
    }
    m = it->second.get();
  }
  const EventSourceMappingConfig& current = m->config();
  if (config.source != current.source) {
    return fail(Errc::invalid_argument, "EventSourceArn: a mapping's source cannot change");
  }
  if (config.starting_position != current.starting_position ||
      config.starting_position_timestamp != current.starting_position_timestamp) {
    return fail(Errc::invalid_argument, "StartingPosition: cannot change after creation");
  }
  m->reconfigure(std::move(config));
  return {};
}

Status Engine::delete_event_source_mapping(std::string_view uuid) {
  if (auto ok = not_on_worker(*impl_, "delete_event_source_mapping"); !ok) return ok;
  std::lock_guard ops(impl_->mappings.ops_mutex);
  std::unique_ptr<detail::Mapping> mapping;
  {
    std::lock_guard lock(impl_->mappings.mutex);
    auto it = impl_->mappings.by_uuid.find(uuid);
    if (it == impl_->mappings.by_uuid.end()) {
      return fail(Errc::not_found, "Event source mapping not found: " + std::string(uuid));
    }
    mapping = std::move(it->second);
    impl_->mappings.by_uuid.erase(it);
  }
  mapping->stop();
  return {};
}

Expected<EventSourceMappingMetrics> Engine::event_source_mapping_metrics(
    std::string_view uuid) const {
  std::lock_guard lock(impl_->mappings.mutex);
  auto it = impl_->mappings.by_uuid.find(uuid);
  if (it == impl_->mappings.by_uuid.end()) {
    return fail(Errc::not_found, "Event source mapping not found: " + std::string(uuid));
  }
  return it->second->metrics();
}

}  // namespace nanofaas
