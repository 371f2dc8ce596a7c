#include "http/responses.hpp"

#include <boost/beast/http/field.hpp>

#include "nanofaas/json_writer.hpp"

namespace nanofaas::http {

Response json_response(beast_http::status status, std::string body) {
  Response response(status, 11);
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

Response empty_response(beast_http::status status) {
  return Response(status, 11);
}

Response error_response(beast_http::status status, std::string_view type, std::string_view message,
                        std::string_view reason) {
  std::string body;
  JsonWriter json(body);
  json.begin_object();
  if (!reason.empty()) json.key("Reason").string(reason);
  json.key("Type").string(static_cast<unsigned>(status) >= 500 ? "Service" : "User");
  json.key("message").string(message);
  json.end_object();
  Response response = json_response(status, std::move(body));
  response.set("x-amzn-ErrorType", to_beast(type));
  return response;
}

Response error_response(const Error& error) {
  const auto status = static_cast<beast_http::status>(http_status(error.code));
  return error_response(status, lambda_name(error.code), error.message, lambda_name(error.reason));
}

Response invalid_parameter(std::string_view message) {
  return error_response(beast_http::status::bad_request, "InvalidParameterValueException", message);
}

}  // namespace nanofaas::http
