#include "filter/json_tree.hpp"

#include <algorithm>
#include <utility>

namespace nanofaas::detail::filter {
namespace {

simdjson::error_code read_value(ondemand::value value, JsonValue& out, int depth);

simdjson::error_code read_object(ondemand::object object, JsonValue& out, int depth) {
  out.type = JsonValue::Type::object;
  for (auto field_result : object) {
    ondemand::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    JsonValue value;
    SIMDJSON_TRY(read_value(field.value(), value, depth + 1));
    // EventBridge: when a pattern repeats a key, the last occurrence is the one used.
    auto same = std::find_if(out.members.begin(), out.members.end(),
                             [&](const JsonMember& m) { return m.key == key; });
    if (same != out.members.end()) {
      same->value = std::move(value);
    } else {
      out.members.push_back(JsonMember{std::string(key), std::move(value)});
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_value(ondemand::value value, JsonValue& out, int depth) {
  if (depth > max_pattern_depth) return simdjson::DEPTH_ERROR;
  SIMDJSON_TRY(value.type().get(out.type));
  switch (out.type) {
    case JsonValue::Type::object: {
      ondemand::object object;
      SIMDJSON_TRY(value.get_object().get(object));
      return read_object(object, out, depth);
    }
    case JsonValue::Type::array: {
      ondemand::array array;
      SIMDJSON_TRY(value.get_array().get(array));
      for (auto element : array) {
        ondemand::value element_value;
        SIMDJSON_TRY(element.get(element_value));
        SIMDJSON_TRY(read_value(element_value, out.elements.emplace_back(), depth + 1));
      }
      return simdjson::SUCCESS;
    }
    default: {
      Scalar scalar;
      SIMDJSON_TRY(read_scalar(value, out.type, scalar));
      out.text = scalar.text;
      out.number = scalar.number;
      out.boolean = scalar.boolean;
      return simdjson::SUCCESS;
    }
  }
}

}  // namespace

Expected<JsonValue> parse_json_object(std::string_view json) {
  const simdjson::padded_string padded(json);
  ondemand::parser parser;
  JsonDocument doc;
  JsonValue tree;
  auto error = doc.open(parser, padded, padded.size() + simdjson::SIMDJSON_PADDING);
  if (!error) error = read_object(doc.root(), tree, 1);
  if (!error) error = doc.finish();
  if (error)
    return Unexpected(Error{Errc::invalid_argument, doc.describe(error, max_pattern_depth)});
  return tree;
}

}  // namespace nanofaas::detail::filter
