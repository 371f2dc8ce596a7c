// Fuzzes parse_json, the handler's JSON payload parser (nanofaas/json.hpp): the input is a
// payload, parsed and walked in full. Properties: no crash whether the payload is padded (a
// Payload, a string with spare capacity holding junk) or copied into the scratch buffer, and
// every way gives the same values and the same error, also when a scratch is reused.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "nanofaas/json.hpp"

namespace {

namespace ondemand = simdjson::ondemand;

constexpr int max_depth = 128;

// Appends a description of `value` and everything in it to `out`; on an error, appends it
// and returns it.
simdjson::error_code describe(ondemand::value value, int depth, std::string& out) {
  if (depth > max_depth) return simdjson::DEPTH_ERROR;
  ondemand::json_type type{};
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      out += '{';
      for (auto field_result : object) {
        ondemand::field field;
        if (auto error = std::move(field_result).get(field)) return error;
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return error;
        out.append(key).append(":");
        if (auto error = describe(field.value(), depth + 1, out)) return error;
        out += ',';
      }
      out += '}';
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      out += '[';
      for (auto element : array) {
        ondemand::value element_value;
        if (auto error = element.get(element_value)) return error;
        if (auto error = describe(element_value, depth + 1, out)) return error;
        out += ',';
      }
      out += ']';
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return error;
      out.append("s:").append(text);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::number: {
      const std::string_view token = value.raw_json_token();
      ondemand::number number;
      if (auto error = value.get_number().get(number)) return error;
      out.append("n:").append(token).append("=").append(std::to_string(number.as_double()));
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b)) return error;
      out += b ? "true" : "false";
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::null: {
      bool null = false;
      if (auto error = value.is_null().get(null)) return error;
      if (!null) return simdjson::INCORRECT_TYPE;
      out += "null";
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Parses `payload` with `scratch` and describes the whole document, or the first error.
std::string walk(nanofaas::PayloadView payload, nanofaas::JsonScratch& scratch) {
  ondemand::document doc;
  if (auto error = nanofaas::parse_json(payload, scratch).get(doc)) {
    return std::string("parse error ") + simdjson::error_message(error);
  }
  std::string out;
  ondemand::value root;
  simdjson::error_code error = doc.get_value().get(root);
  if (!error) error = describe(root, 0, out);
  const char* trailing = nullptr;  // a location after the root value: content follows it
  if (!error && doc.current_location().get(trailing) == simdjson::SUCCESS) {
    error = simdjson::TRAILING_CONTENT;
  }
  if (error) out.append(" error ").append(simdjson::error_message(error));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static nanofaas::JsonScratch reused;  // across inputs, as an environment's scratch is
  nanofaas::JsonScratch fresh;

  const nanofaas::Payload payload = nanofaas::Payload::copy_of(input);
  const std::string expected = walk(payload, fresh);

  // Unpadded: copied into the scratch buffer first.
  NANOFAAS_FUZZ_CHECK(walk(nanofaas::PayloadView(input), reused) == expected,
                      "an unpadded payload parses as its padded copy");
  NANOFAAS_FUZZ_CHECK(walk(payload, reused) == expected, "a reused scratch parses alike");

  // A string with spare capacity is parsed in place; its spare bytes are not zeros.
  std::string spacious(input);
  spacious.reserve(input.size() + 2 * nanofaas::payload_padding);
  const std::size_t spare = spacious.capacity() - spacious.size();
  spacious.append(spare, '"');
  spacious.resize(input.size());
  NANOFAAS_FUZZ_CHECK(nanofaas::PayloadView(spacious).padded(), "spare capacity counts as padding");
  NANOFAAS_FUZZ_CHECK(walk(nanofaas::PayloadView(spacious), fresh) == expected,
                      "a string parsed in place parses as a copy");
  return 0;
}
