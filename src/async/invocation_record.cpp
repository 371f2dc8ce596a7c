#include <chrono>
#include <string>

#include "async/delivery.hpp"
#include "common/json_text.hpp"
#include "core/function.hpp"

namespace nanofaas::detail {

InvocationRecord make_record(const AsyncEvent& event, std::string_view condition,
                             const InvokeOutput* out) {
  const Version& v = *event.version;
  InvocationRecord r;
  std::string& j = r.json;
  const std::string id = event.id.to_string();
  j += R"({"version":"1.0","timestamp":")";
  j += iso8601(std::chrono::system_clock::now());
  j += R"(","requestContext":{"requestId":")";
  j += id;
  j += R"(","functionArn":"arn:aws:lambda:local:000000000000:function:)";
  j += v.function->name;
  j += ':';
  j += v.name;
  j += R"(","condition":")";
  j += condition;
  j += R"(","approximateInvokeCount":)";
  j += std::to_string(event.attempts);
  j += R"(},"requestPayload":)";
  append_json_value(j, event.body().view());
  j += R"(,"responseContext":{"statusCode":200,"executedVersion":")";
  j += v.name;
  j += '"';
  std::string_view error_kind;
  if (out != nullptr && out->function_error) {
    error_kind =
        out->function_error->kind == FunctionError::Kind::handled ? "Handled" : "Unhandled";
    j += R"(,"functionError":")";
    j += error_kind;
    j += '"';
  }
  j += R"(},"responsePayload":)";
  const std::size_t response_at = j.size();
  if (out == nullptr) {
    j += "null";
  } else if (out->function_error) {
    j += R"({"errorMessage":)";
    append_json_string(j, out->function_error->error_message);
    j += R"(,"errorType":)";
    append_json_string(j, out->function_error->error_type);
    j += '}';
  } else {
    append_json_value(j, out->payload.view());
  }
  const std::size_t response_end = j.size();
  j += '}';
  r.condition = condition;
  r.request_id = event.id;
  r.function_name = v.function->name;
  r.executed_version = v.name;
  r.approximate_invoke_count = event.attempts;
  r.request_payload = event.body().view();
  r.response_payload = std::string_view(j).substr(response_at, response_end - response_at);
  r.function_error = error_kind;
  return r;
}

}  // namespace nanofaas::detail
