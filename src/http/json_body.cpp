#include "http/json_body.hpp"

#include <cmath>

#include "http/responses.hpp"

namespace nanofaas::http {

using beast_http::status;

bool JsonBody::parse(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) text = "{}";
  simdjson::dom::element element;
  if (auto e = parser_.parse(text.data(), text.size()).get(element); e != simdjson::SUCCESS) {
    fail(error_response(
        status::bad_request, "InvalidRequestContentException",
        std::string("Could not parse request body into json: ") + simdjson::error_message(e)));
    return false;
  }
  if (element.get_object().get(root_) != simdjson::SUCCESS) {
    fail(error_response(status::bad_request, "InvalidRequestContentException",
                        "Could not parse request body into json: the body is not an object"));
    return false;
  }
  return true;
}

void JsonBody::fail(Response response) {
  if (!error_) error_ = std::move(response);
}

void JsonBody::invalid(std::string_view key, std::string_view constraint) {
  fail(invalid_parameter("1 validation error detected: Value at '" + std::string(key) +
                         "' failed to satisfy constraint: " + std::string(constraint)));
}

std::optional<simdjson::dom::element> JsonBody::member(const simdjson::dom::object& in,
                                                       std::string_view key) {
  if (error_) return std::nullopt;
  simdjson::dom::element element;
  if (in.at_key(key).get(element) != simdjson::SUCCESS || element.is_null()) return std::nullopt;
  return element;
}

std::optional<std::int64_t> JsonBody::integer(std::string_view key, std::int64_t min,
                                              std::int64_t max) {
  return integer(root_, key, min, max);
}

std::optional<std::int64_t> JsonBody::integer(const simdjson::dom::object& in, std::string_view key,
                                              std::int64_t min, std::int64_t max) {
  auto element = member(in, key);
  if (!element) return std::nullopt;
  std::int64_t value = 0;
  if (element->get_int64().get(value) != simdjson::SUCCESS) {
    invalid(key, "Member must be an integer");
    return std::nullopt;
  }
  if (value < min || value > max) {
    invalid(key, "Member must have value between " + std::to_string(min) + " and " +
                     std::to_string(max) + " (was " + std::to_string(value) + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<double> JsonBody::number(const simdjson::dom::object& in, std::string_view key,
                                       double min, double max) {
  auto element = member(in, key);
  if (!element) return std::nullopt;
  double value = 0;
  if (element->get_double().get(value) != simdjson::SUCCESS || !std::isfinite(value)) {
    invalid(key, "Member must be a number");
    return std::nullopt;
  }
  if (value < min || value > max) {
    invalid(key, "Member must have value between " + std::to_string(min) + " and " +
                     std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> JsonBody::string(std::string_view key) {
  return string(root_, key);
}

std::optional<std::string> JsonBody::string(const simdjson::dom::object& in, std::string_view key) {
  auto element = member(in, key);
  if (!element) return std::nullopt;
  std::string_view value;
  if (element->get_string().get(value) != simdjson::SUCCESS) {
    invalid(key, "Member must be a string");
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<bool> JsonBody::boolean(std::string_view key) {
  auto element = member(root_, key);
  if (!element) return std::nullopt;
  bool value = false;
  if (element->get_bool().get(value) != simdjson::SUCCESS) {
    invalid(key, "Member must be a boolean");
    return std::nullopt;
  }
  return value;
}

std::optional<simdjson::dom::object> JsonBody::object(std::string_view key) {
  return object(root_, key);
}

std::optional<simdjson::dom::object> JsonBody::object(const simdjson::dom::object& in,
                                                      std::string_view key) {
  auto element = member(in, key);
  if (!element) return std::nullopt;
  simdjson::dom::object value;
  if (element->get_object().get(value) != simdjson::SUCCESS) {
    invalid(key, "Member must be an object");
    return std::nullopt;
  }
  return value;
}

std::optional<simdjson::dom::array> JsonBody::array(std::string_view key) {
  return array(root_, key);
}

std::optional<simdjson::dom::array> JsonBody::array(const simdjson::dom::object& in,
                                                    std::string_view key) {
  auto element = member(in, key);
  if (!element) return std::nullopt;
  simdjson::dom::array value;
  if (element->get_array().get(value) != simdjson::SUCCESS) {
    invalid(key, "Member must be a list");
    return std::nullopt;
  }
  return value;
}

}  // namespace nanofaas::http
