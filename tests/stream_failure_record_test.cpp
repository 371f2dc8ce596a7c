// The on-failure record of a stream mapping on its own: Lambda's invocation record with its
// KinesisBatchInfo, byte for byte, for fixed clocks.

#include "esm/stream_failure_record.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;
using nanofaas::Clock;
using nanofaas::Record;
using nanofaas::RequestId;
using nanofaas::detail::stream_failure_record;
using nanofaas::detail::StreamFailure;

/// 2024-01-02T03:04:05.678Z on the system clock is 100 s on the engine's.
const auto system_now =
    std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + 3h + 4min + 5s + 678ms;
const Clock::time_point engine_now{100s};

const std::vector<Record>& records() {
  static const std::vector<Record> batch{{.id = "7", .arrival_time = Clock::time_point{90s}},
                                         {.id = "8", .arrival_time = Clock::time_point{92s}},
                                         {.id = "9", .arrival_time = Clock::time_point{95s}}};
  return batch;
}

TEST(MappingStreamFailureRecordTest, RetriesExhaustedAfterAFunctionError) {
  const RequestId id{1, 2};
  const StreamFailure failure{.request_id = id,
                              .function_name = "f",
                              .stream_name = "s",
                              .shard = 2,
                              .condition = "RetryAttemptsExhausted",
                              .attempts = 3,
                              .executed_version = "$LATEST",
                              .function_error = "Unhandled",
                              .records = records()};
  const auto record = stream_failure_record(failure, engine_now, system_now);
  EXPECT_EQ(record.json, R"({"requestContext":{"requestId":")" + id.to_string() +
                             R"(","functionArn":"arn:aws:lambda:local:000000000000:function:f",)"
                             R"("condition":"RetryAttemptsExhausted","approximateInvokeCount":3},)"
                             R"("responseContext":{"statusCode":200,"executedVersion":"$LATEST",)"
                             R"("functionError":"Unhandled"},"version":"1.0",)"
                             R"("timestamp":"2024-01-02T03:04:05.678Z","KinesisBatchInfo":{)"
                             R"("shardId":"shardId-000000000002","startSequenceNumber":"7",)"
                             R"("endSequenceNumber":"9",)"
                             R"("approximateArrivalOfFirstRecord":"2024-01-02T03:03:55.678Z",)"
                             R"("approximateArrivalOfLastRecord":"2024-01-02T03:04:00.678Z",)"
                             R"("batchSize":3,"streamArn":"s"}})");
  EXPECT_EQ(record.condition, "RetryAttemptsExhausted");
  EXPECT_EQ(record.request_id, id);
  EXPECT_EQ(record.function_name, "f");
  EXPECT_EQ(record.executed_version, "$LATEST");
  EXPECT_EQ(record.approximate_invoke_count, 3u);
  EXPECT_EQ(record.function_error, "Unhandled");
  EXPECT_EQ(record.records.data(), records().data());
  EXPECT_EQ(record.records.size(), 3u);
}

// No invocation ran: no executed version and no function error; a one-record batch.
TEST(MappingStreamFailureRecordTest, RecordAgeExceededBeforeAnyInvocation) {
  const StreamFailure failure{.function_name = "f",
                              .stream_name = "s",
                              .condition = "RecordAgeExceeded",
                              .records = std::span(records()).first(1)};
  const auto record = stream_failure_record(failure, engine_now, system_now);
  for (std::string_view part :
       {R"("condition":"RecordAgeExceeded","approximateInvokeCount":0})",
        R"("responseContext":{"statusCode":200,"executedVersion":""},"version":"1.0")",
        R"("shardId":"shardId-000000000000","startSequenceNumber":"7","endSequenceNumber":"7")",
        R"("approximateArrivalOfLastRecord":"2024-01-02T03:03:55.678Z","batchSize":1,)"}) {
    EXPECT_NE(record.json.find(part), std::string::npos) << part << " in " << record.json;
  }
  EXPECT_TRUE(record.function_error.empty());
}

TEST(MappingStreamFailureRecordTest, StreamNameIsEscaped) {
  const StreamFailure failure{.function_name = "f",
                              .stream_name = "a \"b\"",
                              .condition = "RetryAttemptsExhausted",
                              .records = records()};
  const auto record = stream_failure_record(failure, engine_now, system_now);
  EXPECT_NE(record.json.find(R"("streamArn":"a \"b\""}})"), std::string::npos) << record.json;
}

}  // namespace
