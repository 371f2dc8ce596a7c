#pragma once

#include <string>
#include <string_view>

#include "nanofaas/payload.hpp"

namespace nanofaas {

/// What a handler returns: a response payload, or a handled function error (Lambda's
/// `FunctionError: Handled`, with `errorType` and `errorMessage`). Move-only value type.
class Response {
 public:
  /// An empty successful response.
  Response() = default;
  /// A successful response that takes `body` over without copying.
  static Response ok(Payload body) noexcept { return Response(std::move(body)); }
  /// A successful response with a copy of `body`.
  static Response ok(std::string_view body) { return Response(Payload::copy_of(body)); }
  /// A handled function error: the function ran and reports a failure.
  static Response error(std::string error_type, std::string error_message) {
    Response r;
    r.is_error_ = true;
    r.error_type_ = std::move(error_type);
    r.error_message_ = std::move(error_message);
    return r;
  }

  /// True for a handled function error.
  [[nodiscard]] bool is_error() const noexcept { return is_error_; }
  /// The response body (empty for errors).
  [[nodiscard]] const Payload& body() const& noexcept { return body_; }
  [[nodiscard]] Payload&& body() && noexcept { return std::move(body_); }
  /// The error's type and message (empty unless `is_error()`).
  [[nodiscard]] const std::string& error_type() const noexcept { return error_type_; }
  [[nodiscard]] const std::string& error_message() const noexcept { return error_message_; }

 private:
  explicit Response(Payload body) noexcept : body_(std::move(body)) {}

  Payload body_;
  bool is_error_ = false;
  std::string error_type_;
  std::string error_message_;
};

}  // namespace nanofaas
