#include <chrono>
#include <string>

#include "async/delivery.hpp"
#include "common/json_text.hpp"
#include "common/lambda_record.hpp"
#include "core/function.hpp"

namespace nanofaas::detail {

InvocationRecord make_record(const AsyncEvent& event, std::string_view condition,
                             const InvokeOutput* out) {
  const Version& v = *event.version;
  std::string_view error_kind;
  if (out != nullptr && out->function_error) {
    error_kind =
        out->function_error->kind == FunctionError::Kind::handled ? "Handled" : "Unhandled";
  }
  const std::string id = event.id.to_string();
  const RecordContext context{.request_id = id,
                              .function_name = v.function->name,
                              .qualifier = v.name,
                              .condition = condition,
                              .attempts = event.attempts,
                              .executed_version = v.name,
                              .function_error = error_kind};
  InvocationRecord r;
  JsonWriter json(r.json);
  json.begin_object();
  json.key("version").string("1.0");
  json.key("timestamp").string(iso8601(std::chrono::system_clock::now()));
  write_request_context(json, context);
  json.key("requestPayload").payload(event.body().view());
  write_response_context(json, context);
  json.key("responsePayload");
  const std::size_t response_at = json.position();
  if (out == nullptr) {
    json.null();
  } else if (out->function_error) {
    json.begin_object();
    json.key("errorMessage").string(out->function_error->error_message);
    json.key("errorType").string(out->function_error->error_type);
    json.end_object();
  } else {
    json.payload(out->payload.view());
  }
  const std::size_t response_end = json.position();
  json.end_object();
  r.condition = condition;
  r.request_id = event.id;
  r.function_name = v.function->name;
  r.executed_version = v.name;
  r.approximate_invoke_count = event.attempts;
  r.request_payload = event.body().view();
  r.response_payload = std::string_view(r.json).substr(response_at, response_end - response_at);
  r.function_error = error_kind;
  return r;
}

}  // namespace nanofaas::detail
