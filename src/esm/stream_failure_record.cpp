#include "esm/stream_failure_record.hpp"

#include <cstdio>
#include <string>

#include "common/json_text.hpp"

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

  InvocationRecord record;
  std::string& j = record.json;
  j += R"({"requestContext":{"requestId":)";
  append_json_string(j, failure.request_id.to_string());
  j += R"(,"functionArn":)";
  append_json_string(
      j, "arn:aws:lambda:local:000000000000:function:" + std::string(failure.function_name));
  j += R"(,"condition":)";
  append_json_string(j, failure.condition);
  j += R"(,"approximateInvokeCount":)";
  j += std::to_string(failure.attempts);
  j += R"(},"responseContext":{"statusCode":200,"executedVersion":)";
  append_json_string(j, failure.executed_version);
  if (!failure.function_error.empty()) {
    j += R"(,"functionError":)";
    append_json_string(j, failure.function_error);
  }
  j += R"(},"version":"1.0","timestamp":)";
  append_json_string(j, iso8601(system_now));
  j += R"(,"KinesisBatchInfo":{"shardId":)";
  append_json_string(j, shard_id);
  j += R"(,"startSequenceNumber":)";
  append_json_string(j, first.id);
  j += R"(,"endSequenceNumber":)";
  append_json_string(j, last.id);
  j += R"(,"approximateArrivalOfFirstRecord":)";
  append_json_string(j, arrival(first));
  j += R"(,"approximateArrivalOfLastRecord":)";
  append_json_string(j, arrival(last));
  j += R"(,"batchSize":)";
  j += std::to_string(failure.records.size());
  j += R"(,"streamArn":)";
  append_json_string(j, failure.stream_name);
  j += "}}";
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
