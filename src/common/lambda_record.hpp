#pragma once

#include <cstdint>
#include <string_view>

#include "nanofaas/json_writer.hpp"

namespace nanofaas::detail {

/// What every Lambda invocation record says of its invocation (a destination's record, a
/// stream mapping's on-failure record).
struct RecordContext {
  std::string_view request_id{};
  std::string_view function_name{};
  std::string_view qualifier{};  // in the function ARN when not empty
  std::string_view condition{};
  std::uint32_t attempts = 0;
  std::string_view executed_version{};
  std::string_view function_error{};  // "Handled", "Unhandled", or empty
};

/// Writes the `requestContext` member: request id, function ARN, condition, invoke count.
inline void write_request_context(JsonWriter& json, const RecordContext& c) {
  std::string arn = "arn:aws:lambda:local:000000000000:function:";
  arn += c.function_name;
  if (!c.qualifier.empty()) {
    arn += ':';
    arn += c.qualifier;
  }
  json.key("requestContext").begin_object();
  json.key("requestId").string(c.request_id);
  json.key("functionArn").string(arn);
  json.key("condition").string(c.condition);
  json.key("approximateInvokeCount").number(c.attempts);
  json.end_object();
}

/// Writes the `responseContext` member: status, executed version, function error if any.
inline void write_response_context(JsonWriter& json, const RecordContext& c) {
  json.key("responseContext").begin_object();
  json.key("statusCode").number(200);
  json.key("executedVersion").string(c.executed_version);
  if (!c.function_error.empty()) json.key("functionError").string(c.function_error);
  json.end_object();
}

}  // namespace nanofaas::detail
