#include "http/concurrency_api.hpp"

#include "http/control_support.hpp"
#include "http/json_body.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

Response reserved_response(std::uint32_t reserved) {
  std::string body;
  JsonWriter json(body);
  json.begin_object().key("ReservedConcurrentExecutions").number(reserved).end_object();
  return json_response(status::ok, std::move(body));
}

Response provisioned_response(status code, std::uint32_t requested, std::uint32_t ready) {
  std::string body;
  JsonWriter json(body);
  json.begin_object()
      .key("RequestedProvisionedConcurrentExecutions")
      .number(requested)
      .key("AvailableProvisionedConcurrentExecutions")
      .number(ready)
      .key("AllocatedProvisionedConcurrentExecutions")
      .number(ready)
      .key("Status")
      .string(ready >= requested ? "READY" : "IN_PROGRESS")
      .key("LastModified")
      .string(server_start_iso8601())
      .end_object();
  return json_response(code, std::move(body));
}

// Runs the engine's blocking put off the I/O threads and answers when it returns.
void put_provisioned(const ApiContext& api, ApiCall&& call, std::string qualified,
                     std::uint32_t count, status done) {
  api.run_blocking([&engine = api.engine, respond = std::move(call.respond),
                    qualified = std::move(qualified), count, done] {
    if (auto ok = engine.put_provisioned_concurrency(qualified, count); !ok) {
      return respond(error_response(ok.error()));
    }
    if (count == 0) return respond(empty_response(done));
    auto info = engine.get_function(qualified);
    if (!info) return respond(error_response(info.error()));
    respond(provisioned_response(done, info->provisioned_concurrency, info->provisioned_ready));
  });
}

}  // namespace

void put_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  auto reserved = request.integer("ReservedConcurrentExecutions", 0, 0xffffffffLL);
  if (request.ok() && !reserved) {
    request.invalid("reservedConcurrentExecutions", "Member must not be null");
  }
  if (!request.ok()) return call.respond(request.take_error());
  const auto count = static_cast<std::uint32_t>(*reserved);
  if (auto ok = api.engine.put_function_concurrency(*function, count); !ok) {
    return call.respond(error_response(ok.error()));
  }
  call.respond(reserved_response(count));
}

void delete_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  if (auto ok = api.engine.delete_function_concurrency(*function); !ok) {
    return call.respond(error_response(ok.error()));
  }
  call.respond(empty_response(status::no_content));
}

void get_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto function = unqualified_name(name);
  if (!function) return call.respond(error_response(function.error()));
  auto info = api.engine.get_function(*function);
  if (!info) return call.respond(error_response(info.error()));
  if (info->reserved_concurrency)
    return call.respond(reserved_response(*info->reserved_concurrency));
  call.respond(json_response(status::ok, "{}"));
}

void put_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto qualified = required_qualified_name(call, name);
  if (!qualified) return call.respond(std::move(qualified.error()));
  JsonBody request;
  if (!request.parse(call.request.body())) return call.respond(request.take_error());
  auto count = request.integer("ProvisionedConcurrentExecutions", 1, 0xffffffffLL);
  if (request.ok() && !count) {
    request.invalid("provisionedConcurrentExecutions", "Member must not be null");
  }
  if (!request.ok()) return call.respond(request.take_error());
  put_provisioned(api, std::move(call), std::move(*qualified), static_cast<std::uint32_t>(*count),
                  status::accepted);
}

void get_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto qualified = required_qualified_name(call, name);
  if (!qualified) return call.respond(std::move(qualified.error()));
  auto info = api.engine.get_function(*qualified);
  if (!info) return call.respond(error_response(info.error()));
  if (info->provisioned_concurrency == 0) {
    return call.respond(
        error_response(status::not_found, "ProvisionedConcurrencyConfigNotFoundException",
                       "No Provisioned Concurrency Config found for this function"));
  }
  call.respond(
      provisioned_response(status::ok, info->provisioned_concurrency, info->provisioned_ready));
}

void delete_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name) {
  auto qualified = required_qualified_name(call, name);
  if (!qualified) return call.respond(std::move(qualified.error()));
  put_provisioned(api, std::move(call), std::move(*qualified), 0, status::no_content);
}

}  // namespace nanofaas::http
