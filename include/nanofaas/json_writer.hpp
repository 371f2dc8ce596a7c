#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// Appends `s` as a JSON string literal (quoted, escaped).
NANOFAAS_API void append_json_string(std::string& out, std::string_view s);
/// Appends a payload as a JSON value: itself when it is valid JSON (as Lambda embeds events),
/// else as a JSON string.
NANOFAAS_API void append_json_value(std::string& out, std::string_view payload);

/// Writes JSON into a string: objects, arrays, keys and values, with the commas and escaping
/// done here (for a handler's response, say). Containers nest at most 32 deep.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) noexcept : out_(out) {}

  JsonWriter& begin_object() { return open('{', false); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('[', true); }
  JsonWriter& end_array() { return close(']'); }
  /// The next member's name; its value follows.
  JsonWriter& key(std::string_view name) {
    comma();
    append_json_string(out_, name);
    out_ += ':';
    return *this;
  }
  JsonWriter& string(std::string_view s) {
    element();
    append_json_string(out_, s);
    return *this;
  }
  template <std::integral T>
  JsonWriter& number(T n) {
    element();
    out_ += std::to_string(n);
    return *this;
  }
  /// A finite double in the shortest form that reads back the same.
  NANOFAAS_API JsonWriter& number(double d);
  JsonWriter& boolean(bool b) {
    element();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& null() {
    element();
    out_ += "null";
    return *this;
  }
  /// A payload: itself when it is valid JSON (as Lambda embeds events), else as a string.
  JsonWriter& payload(std::string_view bytes) {
    element();
    append_json_value(out_, bytes);
    return *this;
  }
  /// Where the next character goes (to find a value written in between).
  [[nodiscard]] std::size_t position() const noexcept { return out_.size(); }

 private:
  [[nodiscard]] std::uint32_t bit() const noexcept { return 1u << (depth_ & 31); }
  JsonWriter& open(char bracket, bool array) {
    element();
    out_ += bracket;
    ++depth_;
    first_ |= bit();
    array_ = array ? (array_ | bit()) : (array_ & ~bit());
    return *this;
  }
  JsonWriter& close(char bracket) {
    --depth_;
    out_ += bracket;
    return *this;
  }
  // Before a member or an array element: a comma unless it is the container's first.
  void comma() {
    if ((first_ & bit()) == 0) out_ += ',';
    first_ &= ~bit();
  }
  // Before a value: in an array it is an element (an object member's comma came with its key).
  void element() {
    if (depth_ > 0 && (array_ & bit()) != 0) comma();
  }

  std::string& out_;
  std::uint32_t depth_ = 0;
  std::uint32_t first_ = 0;  // per depth: nothing written yet
  std::uint32_t array_ = 0;  // per depth: the container is an array
};

}  // namespace nanofaas
