#include "esm/stream_failure_record.hpp"

#include <cstdio>
#include <string>

#include "common/json_text.hpp"
#include "common/lambda_record.hpp"

namespace nanofaas::detail {

InvocationRecord stream_failure_record(const StreamFailure& failure, Clock::time_point engine_now,
                                       std::chrono::system_clock::time_point system_now) {
  const auto arrival = [&](const Record& r) {
    return iso8601(system_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                    engine_now - r.arrival_time));
  };
  char shard_id[32];
  std::snprintf(shard_id, sizeof shard_id, "shardId-%012u", failure.shard);
  const Record& first = failure.records.front();
  const Record& last = failure.records.back();

  const std::string id = failure.request_id.to_string();
  const RecordContext context{.request_id = id,
                              .function_name = failure.function_name,
                              .condition = failure.condition,
                              .attempts = failure.attempts,
                              .executed_version = failure.executed_version,
                              .function_error = failure.function_error};
  InvocationRecord record;
  JsonWriter json(record.json);
  json.begin_object();
  write_request_context(json, context);
  write_response_context(json, context);
  json.key("version").string("1.0");
  json.key("timestamp").string(iso8601(system_now));
  json.key("KinesisBatchInfo").begin_object();
  json.key("shardId").string(shard_id);
  json.key("startSequenceNumber").string(first.id);
  json.key("endSequenceNumber").string(last.id);
  json.key("approximateArrivalOfFirstRecord").string(arrival(first));
  json.key("approximateArrivalOfLastRecord").string(arrival(last));
  json.key("batchSize").number(failure.records.size());
  json.key("streamArn").string(failure.stream_name);
  json.end_object();
  json.end_object();
  record.condition = failure.condition;
  record.request_id = failure.request_id;
  record.function_name = failure.function_name;
  record.executed_version = failure.executed_version;
  record.approximate_invoke_count = failure.attempts;
  record.function_error = failure.function_error;
  record.records = failure.records;
  return record;
}

}  // namespace nanofaas::detail
