#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "filter/matcher.hpp"

// simdjson on-demand helpers shared by the pattern parser and the record matcher.
namespace nanofaas::detail::filter {

namespace ondemand = simdjson::ondemand;

/// "object", "array", "string", "number", "boolean" or "null".
std::string_view type_name(ondemand::json_type type) noexcept;

/// Reads the scalar `value` (of JSON type `type`) into `out`, validating it. Numbers keep their
/// token as written; strings are unescaped into the parser's buffer.
simdjson::error_code read_scalar(ondemand::value& value, ondemand::json_type type, Scalar& out);

/// A JSON text whose root must be an object, opened with simdjson on-demand.
class JsonDocument {
 public:
  /// Opens `json`; `capacity` (bytes readable from json.data()) must exceed json.size() by
  /// SIMDJSON_PADDING. INCORRECT_TYPE when the root is not an object.
  simdjson::error_code open(ondemand::parser& parser, std::string_view json,
                            std::size_t capacity) noexcept;
  /// The root object, once `open` succeeded; iterate it once.
  ondemand::object& root() noexcept { return root_; }
  /// After the root object was read: TRAILING_CONTENT when anything follows it.
  simdjson::error_code finish() noexcept;
  /// Why `error` happened, for a message: "must be a JSON object, not array", "nested deeper than
  /// `depth_limit` levels" (DEPTH_ERROR) or "malformed JSON at offset 12: <simdjson's text>".
  std::string describe(simdjson::error_code error, int depth_limit);

 private:
  std::string_view json_;
  ondemand::document doc_;
  ondemand::object root_;
  ondemand::json_type root_type_ = ondemand::json_type::object;
  bool opened_ = false;
};

}  // namespace nanofaas::detail::filter
