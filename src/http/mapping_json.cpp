#include "http/mapping_json.hpp"

#include <chrono>

#include "http/destination_arn.hpp"
#include "http/function_ref.hpp"
#include "http/responses.hpp"

namespace nanofaas::http {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::string_view position_name(StartingPosition position) {
  switch (position) {
    case StartingPosition::trim_horizon: return "TRIM_HORIZON";
    case StartingPosition::latest: return "LATEST";
    case StartingPosition::at_timestamp: return "AT_TIMESTAMP";
  }
  return "LATEST";
}

void read_filters(JsonBody& request, std::vector<std::string>& patterns,
                  EventSourceMappingConfig& config) {
  auto criteria = request.object("FilterCriteria");
  if (!criteria) return;
  std::vector<std::string> given;
  if (auto filters = request.array(*criteria, "Filters")) {
    for (simdjson::dom::element filter : *filters) {
      simdjson::dom::object object;
      if (filter.get_object().get(object) != simdjson::SUCCESS) {
        return request.invalid("FilterCriteria.Filters", "Member must be a list of objects");
      }
      auto pattern = request.string(object, "Pattern");
      if (!request.ok()) return;
      if (!pattern) return request.invalid("FilterCriteria.Filters.Pattern", "must not be null");
      given.push_back(std::move(*pattern));
    }
  }
  if (!request.ok()) return;
  if (given.empty()) {
    config.filter_criteria = FilterCriteria();
  } else {
    auto compiled = FilterCriteria::compile(std::span<const std::string>(given));
    if (!compiled) return request.fail(error_response(compiled.error()));
    config.filter_criteria = std::move(*compiled);
  }
  patterns = std::move(given);
}

void read_response_types(JsonBody& request, EventSourceMappingConfig& config) {
  auto types = request.array("FunctionResponseTypes");
  if (!types) return;
  bool report = false;
  for (simdjson::dom::element type : *types) {
    std::string_view name;
    if (type.get_string().get(name) != simdjson::SUCCESS || name != "ReportBatchItemFailures") {
      return request.invalid("FunctionResponseTypes",
                             "Member must satisfy enum value set: [ReportBatchItemFailures]");
    }
    report = true;
  }
  config.report_batch_item_failures = report;
}

void read_stream_settings(const ApiContext& api, JsonBody& request,
                          EventSourceMappingConfig& config) {
  if (auto bisect = request.boolean("BisectBatchOnFunctionError")) {
    config.bisect_batch_on_function_error = *bisect;
  }
  if (auto retries = request.integer("MaximumRetryAttempts", -1, 10000)) {
    config.maximum_retry_attempts = static_cast<std::int32_t>(*retries);
  }
  if (auto age = request.integer("MaximumRecordAgeInSeconds", -1, 604800)) {
    if (*age == -1) {
      config.maximum_record_age.reset();
    } else if (*age < 60) {
      request.invalid("MaximumRecordAgeInSeconds", "Member must be -1 or between 60 and 604800");
    } else {
      config.maximum_record_age = seconds(*age);
    }
  }
  if (auto factor = request.integer("ParallelizationFactor", 1, 10)) {
    config.parallelization_factor = static_cast<std::uint32_t>(*factor);
  }
  if (auto window = request.integer("TumblingWindowInSeconds", 0, 900)) {
    config.tumbling_window = seconds(*window);
  }
  if (auto destinations = request.object("DestinationConfig")) {
    if (auto failure = request.object(*destinations, "OnFailure")) {
      const std::string arn = request.string(*failure, "Destination").value_or("");
      if (!request.ok()) return;
      config.on_failure.function.clear();
      config.on_failure.queue.reset();
      if (!arn.empty()) {
        auto destination = destination_from_arn(api, arn);
        if (!destination) return request.fail(error_response(destination.error()));
        config.on_failure.function = std::move(destination->function);
        config.on_failure.queue = std::move(destination->queue);
      }
    }
  }
}

}  // namespace

void write_mapping(JsonWriter& json, const ApiContext& api, std::string_view uuid,
                   const EventSourceMappingConfig& config, const std::vector<std::string>& patterns,
                   double last_modified, std::string_view state) {
  const bool stream = config.source && config.source->kind() == SourceKind::stream;
  json.begin_object().key("UUID").string(uuid);
  if (config.starting_position) {
    json.key("StartingPosition").string(position_name(*config.starting_position));
  }
  json.key("BatchSize")
      .number(config.batch_size.value_or(stream ? 100u : 10u))
      .key("MaximumBatchingWindowInSeconds")
      .number(duration_cast<seconds>(config.maximum_batching_window).count())
      .key("EventSourceArn")
      .string(source_arn(api, config.source.get()))
      .key("FunctionArn")
      .string(function_arn(api.config.region, api.config.account_id, config.function_name))
      .key("LastModified")
      .number(last_modified)
      .key("State")
      .string(state)
      .key("StateTransitionReason")
      .string("USER_INITIATED");
  if (!patterns.empty()) {
    json.key("FilterCriteria").begin_object().key("Filters").begin_array();
    for (const std::string& pattern : patterns) {
      json.begin_object().key("Pattern").string(pattern).end_object();
    }
    json.end_array().end_object();
  }
  json.key("FunctionResponseTypes").begin_array();
  if (config.report_batch_item_failures) json.string("ReportBatchItemFailures");
  json.end_array();
  if (stream) {
    json.key("ParallelizationFactor")
        .number(config.parallelization_factor)
        .key("BisectBatchOnFunctionError")
        .boolean(config.bisect_batch_on_function_error)
        .key("MaximumRetryAttempts")
        .number(config.maximum_retry_attempts)
        .key("MaximumRecordAgeInSeconds")
        .number(config.maximum_record_age
                    ? static_cast<std::int64_t>(
                          duration_cast<seconds>(*config.maximum_record_age).count())
                    : std::int64_t{-1})
        .key("TumblingWindowInSeconds")
        .number(duration_cast<seconds>(config.tumbling_window).count())
        .key("DestinationConfig")
        .begin_object()
        .key("OnFailure")
        .begin_object();
    if (const std::string arn = destination_arn(api, config.on_failure); !arn.empty()) {
      json.key("Destination").string(arn);
    }
    json.end_object().end_object();
  } else if (config.maximum_concurrency) {
    json.key("ScalingConfig")
        .begin_object()
        .key("MaximumConcurrency")
        .number(*config.maximum_concurrency)
        .end_object();
  }
  json.end_object();
}

void read_mapping_settings(const ApiContext& api, JsonBody& request,
                           EventSourceMappingConfig& config, std::vector<std::string>& patterns) {
  if (auto name = request.string("FunctionName")) {
    auto qualified = qualified_name(*name, {});
    if (!qualified) return request.fail(error_response(qualified.error()));
    config.function_name = std::move(*qualified);
  }
  if (auto enabled = request.boolean("Enabled")) config.enabled = *enabled;
  if (auto batch = request.integer("BatchSize", 1, 10000)) {
    config.batch_size = static_cast<std::uint32_t>(*batch);
  }
  if (auto window = request.integer("MaximumBatchingWindowInSeconds", 0, 300)) {
    config.maximum_batching_window = seconds(*window);
  }
  read_filters(request, patterns, config);
  read_response_types(request, config);
  read_stream_settings(api, request, config);
  if (auto scaling = request.object("ScalingConfig")) {
    if (auto maximum = request.integer(*scaling, "MaximumConcurrency", 2, 1000)) {
      config.maximum_concurrency = static_cast<std::uint32_t>(*maximum);
    }
  }
}

void read_mapping_source(const ApiContext& api, JsonBody& request,
                         EventSourceMappingConfig& config) {
  const std::string arn = request.string("EventSourceArn").value_or("");
  if (!request.ok()) return;
  auto source = api.config.event_sources.find(arn);
  if (source == api.config.event_sources.end()) {
    return request.invalid("EventSourceArn",
                           "Member must name one of the server's event sources "
                           "(HttpServerConfig::event_sources); got '" +
                               arn + "'");
  }
  config.source = source->second;
  if (auto position = request.string("StartingPosition")) {
    if (*position == "TRIM_HORIZON") {
      config.starting_position = StartingPosition::trim_horizon;
    } else if (*position == "LATEST") {
      config.starting_position = StartingPosition::latest;
    } else if (*position == "AT_TIMESTAMP") {
      config.starting_position = StartingPosition::at_timestamp;
    } else {
      return request.invalid("StartingPosition",
                             "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, "
                             "AT_TIMESTAMP]");
    }
  }
  if (auto at = request.number(request.root(), "StartingPositionTimestamp", 0, 1e11)) {
    // Epoch seconds to the steady clock: as far in the past as the timestamp is from now.
    const auto ago =
        std::chrono::system_clock::now() -
        std::chrono::system_clock::time_point(
            duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(*at)));
    config.starting_position_timestamp =
        Clock::steady().now() - duration_cast<Clock::time_point::duration>(ago);
  }
}

}  // namespace nanofaas::http
