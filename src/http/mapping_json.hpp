#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/api_context.hpp"
#include "http/json_body.hpp"
#include "nanofaas/event_source_mapping.hpp"
#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {

/// Lambda's `EventSourceMappingConfiguration` of one mapping; `state` is "Enabled",
/// "Disabled" or "Deleting"; `patterns` are its filter patterns as given.
void write_mapping(JsonWriter& json, const ApiContext& api, std::string_view uuid,
                   const EventSourceMappingConfig& config, const std::vector<std::string>& patterns,
                   double last_modified, std::string_view state);

/// Reads the settings `UpdateEventSourceMapping` may change (FunctionName, Enabled,
/// BatchSize, MaximumBatchingWindowInSeconds, FilterCriteria, FunctionResponseTypes, the
/// stream settings, DestinationConfig.OnFailure, ScalingConfig) into `config`, the members
/// given only. New filter patterns go to `patterns`. Problems are kept in `request`.
void read_mapping_settings(const ApiContext& api, JsonBody& request,
                           EventSourceMappingConfig& config, std::vector<std::string>& patterns);

/// Reads what only `CreateEventSourceMapping` sets: EventSourceArn (a key of
/// `event_sources`), StartingPosition and StartingPositionTimestamp.
void read_mapping_source(const ApiContext& api, JsonBody& request,
                         EventSourceMappingConfig& config);

}  // namespace nanofaas::http
