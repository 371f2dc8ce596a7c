#include "http/invoke_api.hpp"

#include <simdjson.h>

#include "http/base64.hpp"
#include "http/function_ref.hpp"
#include "http/responses.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/json_writer.hpp"
#include "nanofaas/trace_scope.hpp"

namespace nanofaas::http {
namespace {

using beast_http::status;

// Lambda's client context header is at most 3,583 bytes of base64.
constexpr std::size_t max_client_context = 3583;

Response invalid_content(std::string_view message) {
  return error_response(status::bad_request, "InvalidRequestContentException", message);
}

Response enum_error(std::string_view value, std::string_view member, std::string_view allowed) {
  return invalid_parameter("1 validation error detected: Value '" + std::string(value) + "' at '" +
                           std::string(member) +
                           "' failed to satisfy constraint: Member must satisfy enum value set: " +
                           std::string(allowed));
}

Response invoke_response(InvokeResult&& result, bool tail) {
  if (!result) return error_response(result.error());
  InvokeOutput& out = *result;
  Response response;
  if (out.function_error) {
    std::string body;
    JsonWriter json(body);
    json.begin_object()
        .key("errorMessage")
        .string(out.function_error->error_message)
        .key("errorType")
        .string(out.function_error->error_type)
        .end_object();
    response = json_response(status::ok, std::move(body));
    response.set("X-Amz-Function-Error", out.function_error->kind == FunctionError::Kind::handled
                                             ? "Handled"
                                             : "Unhandled");
  } else {
    response = json_response(status::ok, std::string(out.payload.view()));
  }
  response.set("X-Amz-Executed-Version", out.executed_version);
  response.set("x-amzn-RequestId", out.request_id.to_string());
  // The engine's tail: START, the handler's lines, END and REPORT, the last 4 KB.
  if (tail) response.set("X-Amz-Log-Result", base64_encode(out.log_tail));
  return response;
}

// The client context: base64 of a JSON object, handed to the handler decoded.
std::optional<std::string> client_context(const Request& request, Response& error) {
  auto header = request.find("X-Amz-Client-Context");
  if (header == request.end()) return std::string();
  const std::string_view text = to_std(header->value());
  std::optional<std::string> decoded;
  if (text.size() <= max_client_context) decoded = base64_decode(text);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (!decoded || parser.parse(*decoded).get(element) != simdjson::SUCCESS ||
      !element.is_object()) {
    error = invalid_content("Client context must be a valid Base64-encoded JSON object.");
    return std::nullopt;
  }
  return decoded;
}

std::string_view header_or(const Request& request, std::string_view name,
                           std::string_view fallback) {
  auto it = request.find(boost::beast::string_view(name.data(), name.size()));
  return it == request.end() ? fallback : to_std(it->value());
}

// The caller's trace: X-Ray's header (Lambda's), else W3C's. A malformed one is ignored, as
// Lambda ignores it: the call starts a new trace.
TraceContext trace_of(const Request& request) {
  for (std::string_view name : {"X-Amzn-Trace-Id", "traceparent"}) {
    auto it = request.find(boost::beast::string_view(name.data(), name.size()));
    if (it == request.end()) continue;
    const std::string_view text = to_std(it->value());
    auto parsed = name == "traceparent" ? TraceContext::from_traceparent(text)
                                        : TraceContext::from_x_amzn_trace_id(text);
    if (parsed) return *parsed;
  }
  return {};
}

}  // namespace

void invoke(const ApiContext& api, ApiCall&& call, std::string_view function_name) {
  auto name = qualified_name(function_name, call.param("Qualifier"));
  if (!name) return call.respond(error_response(name.error()));
  const Request& request = call.request;
  const std::string_view type = header_or(request, "X-Amz-Invocation-Type", "RequestResponse");
  const std::string_view log_type = header_or(request, "X-Amz-Log-Type", "None");
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return call.respond(enum_error(type, "invocationType", "[Event, RequestResponse, DryRun]"));
  }
  if (log_type != "None" && log_type != "Tail") {
    return call.respond(enum_error(log_type, "logType", "[None, Tail]"));
  }
  const std::string& body = request.body();
  if (!body.empty()) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element element;
    if (auto e = parser.parse(body).get(element); e != simdjson::SUCCESS) {
      return call.respond(invalid_content(std::string("Could not parse request body into json: ") +
                                          simdjson::error_message(e)));
    }
  }
  Response error;
  auto context = client_context(request, error);
  if (!context) return call.respond(std::move(error));
  const TraceContext trace = trace_of(request);
  const InvokeOptions options{.principal = call.principal,
                              .client_context = *context,
                              .tail_log = log_type == "Tail",
                              .trace = &trace};

  if (type == "DryRun") {
    auto ok = api.engine.dry_run(*name, body, options);
    return call.respond(ok ? empty_response(status::no_content) : error_response(ok.error()));
  }
  if (type == "Event") {
    // The engine's Event call takes no caller: the resource policy is checked here first.
    if (auto ok = api.engine.dry_run(*name, body, options);
        !ok && ok.error().code != Errc::too_many_requests) {
      return call.respond(error_response(ok.error()));
    }
    const TraceScope scope(trace);  // the event continues the caller's trace
    auto id = api.engine.invoke_async(*name, Payload::copy_of(body));
    if (!id) return call.respond(error_response(id.error()));
    Response response = empty_response(status::accepted);
    response.set("x-amzn-RequestId", id->to_string());
    return call.respond(std::move(response));
  }
  const bool tail = options.tail_log;
  Respond respond = call.respond;
  auto started = api.engine.invoke(*name, Payload::copy_of(body), options,
                                   [respond, tail](InvokeResult&& result) {
                                     respond(invoke_response(std::move(result), tail));
                                   });
  if (!started) call.respond(error_response(started.error()));
}

}  // namespace nanofaas::http
