#include "filter/json_reader.hpp"

#include "filter/text.hpp"

namespace nanofaas::detail::filter {

std::string_view type_name(ondemand::json_type type) noexcept {
  switch (type) {
    case ondemand::json_type::object: return "object";
    case ondemand::json_type::array: return "array";
    case ondemand::json_type::string: return "string";
    case ondemand::json_type::number: return "number";
    case ondemand::json_type::boolean: return "boolean";
    case ondemand::json_type::null: return "null";
  }
  return "unknown";
}

simdjson::error_code read_scalar(ondemand::value& value, ondemand::json_type type, Scalar& out) {
  using K = Scalar::Kind;
  switch (type) {
    case ondemand::json_type::string: out.kind = K::string; return value.get_string().get(out.text);
    case ondemand::json_type::number: {
      out.kind = K::number;
      // The token runs up to the next one, so it may end with whitespace.
      const std::string_view token = value.raw_json_token();
      out.text = token.substr(0, token.find_last_not_of(" \t\n\r") + 1);
      // This validates the token too; simdjson refuses numbers beyond double's range.
      return value.get_double().get(out.number);
    }
    case ondemand::json_type::boolean:
      out.kind = K::boolean;
      return value.get_bool().get(out.boolean);
    case ondemand::json_type::null: {
      out.kind = K::null;
      bool is_null = false;
      SIMDJSON_TRY(value.is_null().get(is_null));
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    default: return simdjson::INCORRECT_TYPE;
  }
}

simdjson::error_code JsonDocument::open(ondemand::parser& parser, std::string_view json,
                                        std::size_t capacity) noexcept {
  json_ = json;
  SIMDJSON_TRY(parser.iterate(json.data(), json.size(), capacity).get(doc_));
  opened_ = true;
  SIMDJSON_TRY(doc_.type().get(root_type_));
  if (root_type_ != ondemand::json_type::object) return simdjson::INCORRECT_TYPE;
  return doc_.get_object().get(root_);
}

simdjson::error_code JsonDocument::finish() noexcept {
  const char* trailing = nullptr;
  // current_location() fails (OUT_OF_BOUNDS) only once the whole input has been consumed.
  return doc_.current_location().get(trailing) == simdjson::SUCCESS ? simdjson::TRAILING_CONTENT
                                                                    : simdjson::SUCCESS;
}

std::string JsonDocument::describe(simdjson::error_code error, int depth_limit) {
  if (error == simdjson::INCORRECT_TYPE && root_type_ != ondemand::json_type::object) {
    return concat({"must be a JSON object, not ", type_name(root_type_)});
  }
  if (error == simdjson::DEPTH_ERROR) {
    return concat({"nested deeper than ", std::to_string(depth_limit), " levels"});
  }
  std::string offset;
  const char* at = nullptr;
  // A document that failed to open has no position to report (and must not be asked).
  if (opened_ && doc_.current_location().get(at) == simdjson::SUCCESS && at >= json_.data() &&
      at <= json_.data() + json_.size()) {
    offset = concat({" at offset ", std::to_string(at - json_.data())});
  }
  return concat({"malformed JSON", offset, ": ", simdjson::error_message(error)});
}

}  // namespace nanofaas::detail::filter
