#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// Lambda's event invoke config calls on `/2019-09-25/functions/{name}/event-invoke-config`
/// (`Qualifier`): `Put…` (PUT: replaces retries, event age and destinations), `Update…`
/// (POST: changes only the members given), `Get…` (GET) and `Delete…` (DELETE, 204: back to
/// the defaults). Destinations are ARNs of functions or of queues in `event_sources`; the
/// host's own sinks and dead-letter settings are kept.
void put_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name,
                             bool replace);
void get_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name);
void delete_event_invoke_config(const ApiContext& api, ApiCall&& call, std::string_view name);

}  // namespace nanofaas::http
