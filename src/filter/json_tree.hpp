#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "filter/json_reader.hpp"
#include "nanofaas/expected.hpp"

// A pattern's JSON as a small tree, read once at compile time. Numbers keep the text they were
// written with (`3.0e2` stays `3.0e2`) and a repeated object key keeps its last value.
namespace nanofaas::detail::filter {

struct JsonMember;

/// One JSON value.
struct JsonValue {
  using Type = ondemand::json_type;
  Type type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string text;                 ///< string: unescaped; number: the token as written
  std::vector<JsonMember> members;  ///< object, in first-appearance order, keys unique
  std::vector<JsonValue> elements;  ///< array
};

/// One key of an object.
struct JsonMember {
  std::string key;
  JsonValue value;
};

/// Deepest nesting of objects and arrays a pattern may have.
inline constexpr int max_pattern_depth = 64;

/// Parses `json`, which must hold an object. Fails with `invalid_argument`: "malformed JSON at
/// offset N: ...", "must be a JSON object, not array", or nesting deeper than the limit.
Expected<JsonValue> parse_json_object(std::string_view json);

}  // namespace nanofaas::detail::filter
