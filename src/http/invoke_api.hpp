#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// Lambda's `Invoke` (`POST /2015-03-31/functions/{FunctionName}/invocations`): the
/// `RequestResponse`, `Event` and `DryRun` invocation types, `Tail` logs and client context.
/// A synchronous call is handed to the engine with a completion: no I/O thread waits.
void invoke(const ApiContext& api, ApiCall&& call, std::string_view function_name);

}  // namespace nanofaas::http
