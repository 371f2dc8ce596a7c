#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/api_call.hpp"

namespace nanofaas::http {

/// A control-plane request's JSON body and typed reads of its members. The first problem is
/// kept as Lambda's 400 (InvalidRequestContentException for unparseable JSON,
/// InvalidParameterValueException for a wrong type or a value out of range); later reads then
/// return nothing. Members of nested objects are read by passing the object and its path.
class JsonBody {
 public:
  /// Parses `text` as a JSON object; an empty body is `{}`. False when it is not one.
  bool parse(std::string_view text);

  [[nodiscard]] bool ok() const noexcept { return !error_; }
  /// The first problem found (call only when `!ok()`).
  [[nodiscard]] Response take_error() { return std::move(*error_); }
  [[nodiscard]] const simdjson::dom::object& root() const noexcept { return root_; }

  /// An integer member within [min, max]; nothing when absent (or after an error).
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> integer(const simdjson::dom::object& in, std::string_view key,
                                      std::int64_t min, std::int64_t max);
  /// A number member (integer or not) within [min, max].
  std::optional<double> number(const simdjson::dom::object& in, std::string_view key, double min,
                               double max);
  std::optional<std::string> string(std::string_view key);
  std::optional<std::string> string(const simdjson::dom::object& in, std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<simdjson::dom::object> object(std::string_view key);
  std::optional<simdjson::dom::object> object(const simdjson::dom::object& in,
                                              std::string_view key);
  std::optional<simdjson::dom::array> array(std::string_view key);
  std::optional<simdjson::dom::array> array(const simdjson::dom::object& in, std::string_view key);

  /// Records a problem found by the caller (the first one wins).
  void fail(Response response);
  /// Records an InvalidParameterValueException naming `key`.
  void invalid(std::string_view key, std::string_view constraint);

 private:
  // The member, or nothing when absent or already failed.
  std::optional<simdjson::dom::element> member(const simdjson::dom::object& in,
                                               std::string_view key);

  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
  std::optional<Response> error_;
};

}  // namespace nanofaas::http
