#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// Lambda's event source mapping calls on `/2015-03-31/event-source-mappings/`:
/// `CreateEventSourceMapping` (POST, 202; the source is a key of `event_sources`),
/// `ListEventSourceMappings` (GET; `FunctionName` and `EventSourceArn` filters), and on
/// `…/{UUID}` `Get…` (GET), `Update…` (PUT, 202) and `Delete…` (DELETE, 202 "Deleting").
/// Update and delete wait for batches in flight: they run off the I/O threads.
void create_mapping(const ApiContext& api, ApiCall&& call);
void list_mappings(const ApiContext& api, ApiCall&& call);
void get_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid);
void update_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid);
void delete_mapping(const ApiContext& api, ApiCall&& call, std::string_view uuid);

}  // namespace nanofaas::http
