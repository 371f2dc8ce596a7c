#include "http/event_invoke_config_api.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "http/control_support.hpp"
#include "http/destination_arn.hpp"
#include "http/function_ref.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

void write_destination(JsonWriter& json, const ApiContext& api, std::string_view key,
                       const Destination& destination) {
  json.key(key).begin_object();
  if (const std::string arn = destination_arn(api, destination); !arn.empty()) {
    json.key("Destination").string(arn);
  }
  json.end_object();
}

// Where the API's changes to a configuration are remembered: "name:$LATEST" is "name".
std::string_view config_key(std::string_view qualified) {
  constexpr std::string_view latest = ":$LATEST";
  return qualified.ends_with(latest) ? qualified.substr(0, qualified.size() - latest.size())
                                     : qualified;
}

// Lambda's 404 for a function, version or alias without an event invoke configuration: none
// was put through the API, and the host configured none (all its settings are the defaults).
std::optional<Response> missing_config(const ApiContext& api, std::string_view qualified,
                                       const AsyncConfig& config) {
  {
    std::lock_guard lock(api.store->mutex);
    if (api.store->invoke_config_modified.contains(config_key(qualified))) return std::nullopt;
  }
  if (!config.is_default()) return std::nullopt;
  std::string message = "The function ";
  message.append(function_arn(api.config.region, api.config.account_id, qualified))
      .append(" doesn't have an EventInvokeConfig");
  return error_response(Error{Errc::not_found, std::move(message)});
}

Response config_response(const ApiContext& api, std::string_view qualified,
                         const AsyncConfig& config) {
  double modified = 0;
  {
    std::lock_guard lock(api.store->mutex);
    auto it = api.store->invoke_config_modified.find(config_key(qualified));
    if (it != api.store->invoke_config_modified.end()) modified = it->second;
  }
  std::string body;
  JsonWriter json(body);
  json.begin_object()
      .key("LastModified")
      .number(modified)
      .key("FunctionArn")
      .string(function_arn(api.config.region, api.config.account_id, qualified))
      .key("MaximumRetryAttempts")
      .number(config.maximum_retry_attempts)
      .key("MaximumEventAgeInSeconds")
      .number(std::chrono::duration_cast<std::chrono::seconds>(config.maximum_event_age).count())
      .key("DestinationConfig")
      .begin_object();
  write_destination(json, api, "OnSuccess", config.on_success);
  write_destination(json, api, "OnFailure", config.on_failure);
  json.end_object().end_object();
  return json_response(status::ok, std::move(body));
}

// Sets `destination`'s function or queue from `{"Destination": ARN}`; an empty object or ARN
// clears them.
void read_destination(const ApiContext& api, JsonBody& request, const simdjson::dom::object& in,
                      std::string_view key, Destination& destination) {
  auto object = request.object(in, key);
  if (!object) return;
  const std::string arn = request.string(*object, "Destination").value_or("");
  if (!request.ok()) return;
  destination.function.clear();
  destination.queue.reset();
  if (arn.empty()) return;
  auto parsed = destination_from_arn(api, arn);
  if (!parsed) return request.fail(error_response(parsed.error()));
  destination.function = std::move(parsed->function);
  destination.queue = std::move(parsed->queue);
}

// Lambda's defaults for what the API sets; the host's sinks and dead letters stay.
void reset_api_settings(AsyncConfig& config) {
  const AsyncConfig defaults;
  config.maximum_retry_attempts = defaults.maximum_retry_attempts;
  config.maximum_event_age = defaults.maximum_event_age;
  for (Destination* d : {&config.on_success, &config.on_failure}) {
    d->function.clear();
    d->queue.reset();
  }
}

}  // namespace

void put_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name,
                             bool replace) {
  auto qualified = qualified_name(name, call.param("Qualifier"));
  if (!qualified) return call.respond(error_response(qualified.error()));
  auto config = api.engine.get_function_event_invoke_config(*qualified);
  if (!config) return call.respond(error_response(config.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  if (replace) reset_api_settings(*config);  // Put: what the body leaves out is the default
  if (auto retries = request.integer("MaximumRetryAttempts", 0, 2)) {
    config->maximum_retry_attempts = static_cast<std::uint32_t>(*retries);
  }
  if (auto age = request.integer("MaximumEventAgeInSeconds", 60, 21600)) {
    config->maximum_event_age = std::chrono::seconds(*age);
  }
  if (auto destinations = request.object("DestinationConfig")) {
    read_destination(api, request, *destinations, "OnSuccess", config->on_success);
    read_destination(api, request, *destinations, "OnFailure", config->on_failure);
  }
  if (!request.ok()) return call.respond(request.take_error());
  if (auto ok = api.engine.put_function_event_invoke_config(*qualified, *config); !ok) {
    return call.respond(error_response(ok.error()));
  }
  {
    std::lock_guard lock(api.store->mutex);
    api.store->invoke_config_modified[std::string(config_key(*qualified))] = epoch_seconds_now();
  }
  call.respond(config_response(api, *qualified, *config));
}

void get_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto qualified = qualified_name(name, call.param("Qualifier"));
  if (!qualified) return call.respond(error_response(qualified.error()));
  auto config = api.engine.get_function_event_invoke_config(*qualified);
  if (!config) return call.respond(error_response(config.error()));
  if (auto missing = missing_config(api, *qualified, *config))
    return call.respond(std::move(*missing));
  call.respond(config_response(api, *qualified, *config));
}

void delete_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto qualified = qualified_name(name, call.param("Qualifier"));
  if (!qualified) return call.respond(error_response(qualified.error()));
  auto config = api.engine.get_function_event_invoke_config(*qualified);
  if (!config) return call.respond(error_response(config.error()));
  if (auto missing = missing_config(api, *qualified, *config))
    return call.respond(std::move(*missing));
  reset_api_settings(*config);
  if (auto ok = api.engine.put_function_event_invoke_config(*qualified, *config); !ok) {
    return call.respond(error_response(ok.error()));
  }
  {
    std::lock_guard lock(api.store->mutex);
    auto it = api.store->invoke_config_modified.find(config_key(*qualified));
    if (it != api.store->invoke_config_modified.end()) api.store->invoke_config_modified.erase(it);
  }
  call.respond(empty_response(status::no_content));
}

}  // namespace nanofaas::http
