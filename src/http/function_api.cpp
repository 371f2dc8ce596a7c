#include "http/function_api.hpp"

#include <optional>
#include <string>

#include "http/control_support.hpp"
#include "http/function_ref.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

// Lambda's Timeout is whole seconds: a sub-second engine timeout rounds up.
std::int64_t timeout_seconds(std::chrono::nanoseconds timeout) {
  const std::int64_t ns = timeout.count();
  return ns <= 0 ? 0 : (ns + 999'999'999) / 1'000'000'000;
}

// The qualifier a FunctionName's qualified form carries ("" for none).
std::string_view qualifier_of(std::string_view qualified) {
  const std::size_t colon = qualified.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qualified.substr(colon + 1);
}

}  // namespace

void write_function_configuration(JsonWriter& json, const ApiContext& api, const FunctionInfo& info,
                                  std::string_view qualifier) {
  std::string state = info.function_name + "\n" + info.version + "\n" + info.description + "\n" +
                      std::to_string(info.timeout.count());
  for (const auto& [key, value] : info.environment) state += "\n" + key + "=" + value;
  json.begin_object()
      .key("FunctionName")
      .string(info.function_name)
      .key("FunctionArn")
      .string(arn_of(api, info.function_name, qualifier))
      .key("Description")
      .string(info.description)
      .key("Timeout")
      .number(timeout_seconds(info.timeout))
      .key("Version")
      .string(info.version);
  if (!info.environment.empty()) {
    json.key("Environment").begin_object().key("Variables").begin_object();
    for (const auto& [key, value] : info.environment) json.key(key).string(value);
    json.end_object().end_object();
  }
  // Lambda names the levels only in JSON format, where they apply.
  json.key("LoggingConfig")
      .begin_object()
      .key("LogFormat")
      .string(to_string(info.logging.log_format));
  if (info.logging.log_format == LogFormat::json) {
    json.key("ApplicationLogLevel").string(to_string(info.logging.application_log_level));
    json.key("SystemLogLevel").string(to_string(info.logging.system_log_level));
  }
  json.key("LogGroup").string("/aws/lambda/" + info.function_name).end_object();
  json.key("State")
      .string("Active")
      .key("LastUpdateStatus")
      .string("Successful")
      .key("LastModified")
      .string(server_start_iso8601())
      .key("RevisionId")
      .string(revision_id(state))
      .end_object();
}

void list_functions(const ApiContext& api, ApiCall&& call) {
  // Each function's $LATEST, or with FunctionVersion=ALL every version of each.
  const std::string_view which = call.param("FunctionVersion");
  if (!which.empty() && which != "ALL") {
    return call.respond(invalid_parameter(
        "1 validation error detected: Value '" + std::string(which) +
        "' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value "
        "set: [ALL]"));
  }
  std::vector<FunctionInfo> infos;
  for (const std::string& name : api.engine.function_names()) {
    if (which.empty()) {
      if (auto info = api.engine.get_function(name)) infos.push_back(std::move(*info));
    } else if (auto versions = api.engine.list_versions(name)) {
      for (FunctionInfo& info : *versions) infos.push_back(std::move(info));
    }
  }
  auto range = page(call, infos.size());
  if (!range) return call.respond(std::move(range.error()));
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("Functions").begin_array();
  for (std::size_t i = range->begin; i < range->end; ++i) {
    const FunctionInfo& info = infos[i];
    write_function_configuration(json, api, info, which.empty() ? "" : info.version);
  }
  json.end_array();
  if (!range->next_marker.empty()) json.key("NextMarker").string(range->next_marker);
  json.end_object();
  call.respond(json_response(status::ok, std::move(body)));
}

namespace {

// The function a call names (with its `Qualifier`), or the error answered.
struct NamedFunction {
  std::string qualified;
  FunctionInfo info;
};
std::optional<NamedFunction> find_function(const ApiContext& api, ApiCall& call,
                                           std::string_view name) {
  auto qualified = qualified_name(name, call.param("Qualifier"));
  if (!qualified) {
    call.respond(error_response(qualified.error()));
    return std::nullopt;
  }
  auto info = api.engine.get_function(*qualified);
  if (!info) {
    call.respond(error_response(info.error()));
    return std::nullopt;
  }
  return NamedFunction{std::move(*qualified), std::move(*info)};
}

}  // namespace

void get_function(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto found = find_function(api, call, name);
  if (!found) return;
  const std::string& qualified = found->qualified;
  const FunctionInfo* info = &found->info;
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("Configuration");
  write_function_configuration(json, api, *info, qualifier_of(qualified));
  json.key("Code").begin_object().key("RepositoryType").string("nanofaas").end_object();
  if (info->reserved_concurrency) {
    json.key("Concurrency")
        .begin_object()
        .key("ReservedConcurrentExecutions")
        .number(*info->reserved_concurrency)
        .end_object();
  }
  json.end_object();
  call.respond(json_response(status::ok, std::move(body)));
}

void get_function_configuration(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto found = find_function(api, call, name);
  if (!found) return;
  std::string body;
  JsonWriter json(body);
  write_function_configuration(json, api, found->info, qualifier_of(found->qualified));
  call.respond(json_response(status::ok, std::move(body)));
}

void publish_version(const ApiContext& api, ApiCall&& call, std::string_view name) {
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  (void)request.string("Description");  // type-checked; versions keep $LATEST's description
  (void)request.string("CodeSha256");
  (void)request.string("RevisionId");
  if (!request.ok()) return call.respond(request.take_error());
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  auto version = api.engine.publish_version(*function);
  if (!version) return call.respond(error_response(version.error()));
  auto info = api.engine.get_function(*function + ":" + *version);
  if (!info) return call.respond(error_response(info.error()));
  std::string body;
  JsonWriter json(body);
  write_function_configuration(json, api, *info, *version);
  call.respond(json_response(status::created, std::move(body)));
}

void list_versions(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  auto versions = api.engine.list_versions(*function);
  if (!versions) return call.respond(error_response(versions.error()));
  auto range = page(call, versions->size());
  if (!range) return call.respond(std::move(range.error()));
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("Versions").begin_array();
  for (std::size_t i = range->begin; i < range->end; ++i) {
    const FunctionInfo& info = (*versions)[i];
    write_function_configuration(json, api, info, info.version);
  }
  json.end_array();
  if (!range->next_marker.empty()) json.key("NextMarker").string(range->next_marker);
  json.end_object();
  call.respond(json_response(status::ok, std::move(body)));
}

void refuse_function_change(const ApiContext&, ApiCall&& call) {
  call.respond(invalid_parameter(
      "nanofaas functions are C++ handlers registered by the host (Engine::add_function); "
      "they cannot be created, changed or deleted through the API"));
}

}  // namespace nanofaas::http
