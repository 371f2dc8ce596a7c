#pragma once

#include <string>
#include <string_view>

#include "http/api_context.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::http {

/// A destination named by ARN: a Lambda function's (`arn:aws:lambda:…:function:NAME[:Q]`)
/// becomes `Destination::function`, a queue's from `HttpServerConfig::event_sources` becomes
/// `Destination::queue`. `invalid_argument` naming the ARN otherwise.
Expected<Destination> destination_from_arn(const ApiContext& api, std::string_view arn);

/// The ARN a destination was set from (its function's, or its queue's in `event_sources`);
/// empty when it has neither.
std::string destination_arn(const ApiContext& api, const Destination& destination);

/// The ARN under which `source` is registered in `event_sources`; empty when it is not.
std::string source_arn(const ApiContext& api, const Source* source);

}  // namespace nanofaas::http
