#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"
#include "nanofaas/function_info.hpp"
#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {

/// Writes Lambda's `FunctionConfiguration` of one version; the ARN carries `qualifier` when
/// not empty.
void write_function_configuration(JsonWriter& json, const ApiContext& api, const FunctionInfo& info,
                                  std::string_view qualifier);

/// `ListFunctions` (`GET /2015-03-31/functions/`, `MaxItems`, `Marker`, `FunctionVersion=ALL`).
void list_functions(const ApiContext& api, ApiCall&& call);
/// `GetFunction` (`GET /2015-03-31/functions/{name}`, `Qualifier`).
void get_function(const ApiContext& api, ApiCall&& call, std::string_view name);
/// `GetFunctionConfiguration` (`GET /2015-03-31/functions/{name}/configuration`).
void get_function_configuration(const ApiContext& api, ApiCall&& call, std::string_view name);
/// `PublishVersion` (`POST /2015-03-31/functions/{name}/versions`, 201).
void publish_version(const ApiContext& api, ApiCall&& call, std::string_view name);
/// `ListVersionsByFunction` (`GET /2015-03-31/functions/{name}/versions`), $LATEST first.
void list_versions(const ApiContext& api, ApiCall&& call, std::string_view name);
/// `CreateFunction`, `DeleteFunction`, `UpdateFunctionCode` and `UpdateFunctionConfiguration`:
/// refused, since functions are C++ handlers the host registers with `Engine::add_function`.
void refuse_function_change(const ApiContext& api, ApiCall&& call);

}  // namespace nanofaas::http
