#include "http/alias_api.hpp"

#include "http/control_support.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

std::string store_key(std::string_view function, std::string_view alias) {
  return std::string(function) + ":" + std::string(alias);
}

std::string description_of(const ApiContext& api, std::string_view function,
                           std::string_view alias) {
  std::lock_guard lock(api.store->mutex);
  auto it = api.store->alias_descriptions.find(store_key(function, alias));
  return it == api.store->alias_descriptions.end() ? std::string() : it->second;
}

void write_alias(JsonWriter& json, const ApiContext& api, std::string_view function,
                 const AliasConfig& alias) {
  const std::string description = description_of(api, function, alias.name);
  json.begin_object()
      .key("AliasArn")
      .string(arn_of(api, function, alias.name))
      .key("Name")
      .string(alias.name)
      .key("FunctionVersion")
      .string(alias.function_version)
      .key("Description")
      .string(description);
  if (!alias.additional_version.empty()) {
    json.key("RoutingConfig")
        .begin_object()
        .key("AdditionalVersionWeights")
        .begin_object()
        .key(alias.additional_version)
        .number(alias.additional_weight)
        .end_object()
        .end_object();
  }
  json.key("RevisionId")
      .string(revision_id(alias.name + "\n" + alias.function_version + "\n" +
                          alias.additional_version + "\n" +
                          std::to_string(alias.additional_weight) + "\n" + description))
      .end_object();
}

Response alias_response(const ApiContext& api, status code, std::string_view function,
                        const AliasConfig& alias) {
  std::string body;
  JsonWriter json(body);
  write_alias(json, api, function, alias);
  return json_response(code, std::move(body));
}

// Reads FunctionVersion, RoutingConfig and Description into `alias` (members given only).
std::optional<std::string> read_alias(JsonBody& request, AliasConfig& alias) {
  if (auto version = request.string("FunctionVersion")) alias.function_version = *version;
  if (auto routing = request.object("RoutingConfig")) {
    alias.additional_version.clear();
    alias.additional_weight = 0;
    if (auto weights = request.object(*routing, "AdditionalVersionWeights")) {
      if (weights->size() > 1) request.invalid("AdditionalVersionWeights", "at most 1 entry");
      for (auto [version, value] : *weights) {
        double weight = 0;
        if (value.get_double().get(weight) != simdjson::SUCCESS || !(weight >= 0.0) ||
            weight > 1.0) {
          request.invalid("AdditionalVersionWeights", "weights are numbers between 0.0 and 1.0");
          break;
        }
        alias.additional_version = std::string(version);
        alias.additional_weight = weight;
      }
    }
  }
  return request.string("Description");
}

std::optional<AliasConfig> find_alias(const ApiContext& api, std::string_view function,
                                      std::string_view name, Response& error) {
  auto aliases = api.engine.list_aliases(function);
  if (!aliases) {
    error = error_response(aliases.error());
    return std::nullopt;
  }
  for (AliasConfig& alias : *aliases) {
    if (alias.name == name) return std::move(alias);
  }
  error = error_response(Error{Errc::not_found, "Alias not found: " + arn_of(api, function, name)});
  return std::nullopt;
}

void remember_description(const ApiContext& api, std::string_view function, std::string_view alias,
                          std::optional<std::string> description) {
  if (!description) return;
  std::lock_guard lock(api.store->mutex);
  api.store->alias_descriptions[store_key(function, alias)] = std::move(*description);
}

}  // namespace

void create_alias(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  AliasConfig alias;
  alias.name = request.string("Name").value_or("");
  auto description = read_alias(request, alias);
  if (request.ok() && alias.name.empty()) request.invalid("name", "Member must not be null");
  if (request.ok() && alias.function_version.empty()) {
    request.invalid("functionVersion", "Member must not be null");
  }
  if (!request.ok()) return call.respond(request.take_error());
  if (auto ok = api.engine.create_alias(*function, alias); !ok) {
    return call.respond(error_response(ok.error()));
  }
  remember_description(api, *function, alias.name, description.value_or(""));
  call.respond(alias_response(api, status::created, *function, alias));
}

void list_aliases(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  auto aliases = api.engine.list_aliases(*function);
  if (!aliases) return call.respond(error_response(aliases.error()));
  const std::string_view version = call.param("FunctionVersion");
  std::erase_if(*aliases, [&](const AliasConfig& a) {
    return !version.empty() && a.function_version != version && a.additional_version != version;
  });
  auto range = page(call, aliases->size());
  if (!range) return call.respond(std::move(range.error()));
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("Aliases").begin_array();
  for (std::size_t i = range->begin; i < range->end; ++i) {
    write_alias(json, api, *function, (*aliases)[i]);
  }
  json.end_array();
  if (!range->next_marker.empty()) json.key("NextMarker").string(range->next_marker);
  json.end_object();
  call.respond(json_response(status::ok, std::move(body)));
}

void get_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
               std::string_view alias) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  Response error;
  auto found = find_alias(api, *function, alias, error);
  if (!found) return call.respond(std::move(error));
  call.respond(alias_response(api, status::ok, *function, *found));
}

void update_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
                  std::string_view alias) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  Response error;
  auto found = find_alias(api, *function, alias, error);
  if (!found) return call.respond(std::move(error));
  auto description = read_alias(request, *found);
  (void)request.string("RevisionId");
  if (!request.ok()) return call.respond(request.take_error());
  if (auto ok = api.engine.update_alias(*function, *found); !ok) {
    return call.respond(error_response(ok.error()));
  }
  remember_description(api, *function, alias, std::move(description));
  call.respond(alias_response(api, status::ok, *function, *found));
}

void delete_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
                  std::string_view alias) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  if (auto ok = api.engine.delete_alias(*function, alias); !ok) {
    return call.respond(error_response(ok.error()));
  }
  {
    std::lock_guard lock(api.store->mutex);
    api.store->alias_descriptions.erase(store_key(*function, alias));
  }
  call.respond(empty_response(status::no_content));
}

}  // namespace nanofaas::http
