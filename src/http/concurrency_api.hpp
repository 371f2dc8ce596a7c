#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// `PutFunctionConcurrency` (`PUT /2017-10-31/functions/{name}/concurrency`),
/// `DeleteFunctionConcurrency` (DELETE there, 204) and `GetFunctionConcurrency`
/// (`GET /2019-09-30/functions/{name}/concurrency`, `{}` when none is reserved).
void put_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);
void delete_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);
void get_function_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);

/// `Put`/`Get`/`DeleteProvisionedConcurrencyConfig`
/// (`/2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=…`). The engine's put
/// blocks until the environments are initialised: it runs off the I/O threads and the answer
/// (202, READY) comes once it returns.
void put_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);
void get_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);
void delete_provisioned_concurrency(const ApiContext& api, ApiCall&& call, std::string_view name);

}  // namespace nanofaas::http
