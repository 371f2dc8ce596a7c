#pragma once

#include <string>
#include <string_view>
#include <vector>

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

  /// A batch handler's partial failure (Lambda's `batchItemFailures`, for a mapping with
  /// `ReportBatchItemFailures`): the `Record::id`s that failed; the other records succeeded.
  static Response batch_item_failures(std::vector<std::string> item_identifiers) {
    Response r;
    r.failed_items_ = std::move(item_identifiers);
    return r;
  }
  /// Sets the state a tumbling window carries to its next invocation (Lambda's `state`).
  Response&& with_state(std::string state) && {
    state_ = std::move(state);
    return std::move(*this);
  }

  /// True for a handled function error.
  [[nodiscard]] bool is_error() const noexcept { return is_error_; }
  /// The response body (empty for errors).
  [[nodiscard]] const Payload& body() const& noexcept { return body_; }
  [[nodiscard]] Payload&& body() && noexcept { return std::move(body_); }
  /// The error's type and message (empty unless `is_error()`).
  [[nodiscard]] const std::string& error_type() const noexcept { return error_type_; }
  [[nodiscard]] const std::string& error_message() const noexcept { return error_message_; }
  /// The records a batch handler reported as failed (see `batch_item_failures`).
  [[nodiscard]] const std::vector<std::string>& failed_items() const noexcept {
    return failed_items_;
  }
  [[nodiscard]] std::vector<std::string>& failed_items() noexcept { return failed_items_; }
  /// The tumbling window state (see `with_state`).
  [[nodiscard]] std::string& state() noexcept { return state_; }

 private:
  explicit Response(Payload body) noexcept : body_(std::move(body)) {}

  Payload body_;
  bool is_error_ = false;
  std::string error_type_;
  std::string error_message_;
  std::vector<std::string> failed_items_;
  std::string state_;
};

}  // namespace nanofaas
