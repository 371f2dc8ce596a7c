#include "http/mapping_api.hpp"

#include "http/control_support.hpp"
#include "http/destination_arn.hpp"
#include "http/function_ref.hpp"
#include "http/json_body.hpp"
#include "http/mapping_json.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

ControlStore::Mapping stored(const ApiContext& api, std::string_view uuid) {
  std::lock_guard lock(api.store->mutex);
  auto it = api.store->mappings.find(uuid);
  return it == api.store->mappings.end() ? ControlStore::Mapping{} : it->second;
}

void remember(const ApiContext& api, const std::string& uuid, ControlStore::Mapping mapping) {
  std::lock_guard lock(api.store->mutex);
  api.store->mappings[uuid] = std::move(mapping);
}

std::string_view state_of(const EventSourceMappingConfig& config) {
  return config.enabled ? "Enabled" : "Disabled";
}

Response mapping_response(const ApiContext& api, status code, std::string_view uuid,
                          const EventSourceMappingConfig& config,
                          const ControlStore::Mapping& extra, std::string_view state) {
  std::string body;
  JsonWriter json(body);
  write_mapping(json, api, uuid, config, extra.patterns, extra.last_modified, state);
  return json_response(code, std::move(body));
}

// The list's FunctionName filter: the mapping's function, or any qualifier of it.
bool function_matches(std::string_view filter, std::string_view function) {
  if (filter.empty() || filter == function) return true;
  return filter.find(':') == std::string_view::npos && function.starts_with(filter) &&
         function.size() > filter.size() && function[filter.size()] == ':';
}

}  // namespace

void create_mapping(const ApiContext& api, ApiCall&& call) {
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  EventSourceMappingConfig config;
  ControlStore::Mapping extra;
  read_mapping_source(api, request, config);
  read_mapping_settings(api, request, config, extra.patterns);
  if (request.ok() && config.function_name.empty()) {
    request.invalid("functionName", "Member must not be null");
  }
  if (!request.ok()) return call.respond(request.take_error());
  auto uuid = api.engine.create_event_source_mapping(config);
  if (!uuid) return call.respond(error_response(uuid.error()));
  extra.last_modified = epoch_seconds_now();
  remember(api, *uuid, extra);
  call.respond(mapping_response(api, status::accepted, *uuid, config, extra, state_of(config)));
}

void list_mappings(const ApiContext& api, ApiCall&& call) {
  std::string function;
  if (auto name = call.param("FunctionName"); !name.empty()) {
    auto qualified = qualified_name(name, {});
    if (!qualified) return call.respond(error_response(qualified.error()));
    function = std::move(*qualified);
  }
  const std::string_view source = call.param("EventSourceArn");
  struct Found {
    std::string uuid;
    EventSourceMappingConfig config;
  };
  std::vector<Found> found;
  for (std::string& uuid : api.engine.list_event_source_mappings()) {
    auto config = api.engine.get_event_source_mapping(uuid);
    if (!config || !function_matches(function, config->function_name)) continue;
    if (!source.empty() && source_arn(api, config->source.get()) != source) continue;
    found.push_back({std::move(uuid), std::move(*config)});
  }
  auto range = page(call, found.size());
  if (!range) return call.respond(std::move(range.error()));
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("EventSourceMappings").begin_array();
  for (std::size_t i = range->begin; i < range->end; ++i) {
    const Found& f = found[i];
    const ControlStore::Mapping extra = stored(api, f.uuid);
    write_mapping(json, api, f.uuid, f.config, extra.patterns, extra.last_modified,
                  state_of(f.config));
  }
  json.end_array();
  if (!range->next_marker.empty()) json.key("NextMarker").string(range->next_marker);
  json.end_object();
  call.respond(json_response(status::ok, std::move(body)));
}

void get_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid) {
  auto config = api.engine.get_event_source_mapping(uuid);
  if (!config) return call.respond(error_response(config.error()));
  call.respond(
      mapping_response(api, status::ok, uuid, *config, stored(api, uuid), state_of(*config)));
}

void update_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid) {
  auto config = api.engine.get_event_source_mapping(uuid);
  if (!config) return call.respond(error_response(config.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  ControlStore::Mapping extra = stored(api, uuid);
  read_mapping_settings(api, request, *config, extra.patterns);
  if (!request.ok()) return call.respond(request.take_error());
  api.run_blocking([&api, respond = std::move(call.respond), uuid = std::string(uuid),
                    config = std::move(*config), extra = std::move(extra)]() mutable {
    if (auto ok = api.engine.update_event_source_mapping(uuid, config); !ok) {
      return respond(error_response(ok.error()));
    }
    extra.last_modified = epoch_seconds_now();
    remember(api, uuid, extra);
    respond(mapping_response(api, status::accepted, uuid, config, extra, state_of(config)));
  });
}

void delete_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid) {
  auto config = api.engine.get_event_source_mapping(uuid);
  if (!config) return call.respond(error_response(config.error()));
  api.run_blocking([&api, respond = std::move(call.respond), uuid = std::string(uuid),
                    config = std::move(*config)] {
    if (auto ok = api.engine.delete_event_source_mapping(uuid); !ok) {
      return respond(error_response(ok.error()));
    }
    ControlStore::Mapping extra = stored(api, uuid);
    {
      std::lock_guard lock(api.store->mutex);
      api.store->mappings.erase(uuid);
    }
    respond(mapping_response(api, status::accepted, uuid, config, extra, "Deleting"));
  });
}

}  // namespace nanofaas::http
