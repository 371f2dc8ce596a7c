#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_text.hpp"

namespace nanofaas::detail {

/// Writes JSON into a string: objects, keys and values, with the commas and escaping done
/// here. Objects nest at most 32 deep.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) noexcept : out_(out) {}

  JsonWriter& begin_object() {
    out_ += '{';
    ++depth_;
    first_ |= bit();
    return *this;
  }
  JsonWriter& end_object() {
    --depth_;
    out_ += '}';
    return *this;
  }
  /// The next member's name; its value follows.
  JsonWriter& key(std::string_view name) {
    if ((first_ & bit()) == 0) out_ += ',';
    first_ &= ~bit();
    append_json_string(out_, name);
    out_ += ':';
    return *this;
  }
  JsonWriter& string(std::string_view s) {
    append_json_string(out_, s);
    return *this;
  }
  JsonWriter& number(std::uint64_t n) {
    out_ += std::to_string(n);
    return *this;
  }
  JsonWriter& null() {
    out_ += "null";
    return *this;
  }
  /// A payload: itself when it is valid JSON (as Lambda embeds events), else as a string.
  JsonWriter& payload(std::string_view bytes) {
    append_json_value(out_, bytes);
    return *this;
  }
  /// Where the next character goes (to find a value written in between).
  [[nodiscard]] std::size_t position() const noexcept { return out_.size(); }

 private:
  [[nodiscard]] std::uint32_t bit() const noexcept { return 1u << (depth_ & 31); }

  std::string& out_;
  std::uint32_t depth_ = 0;
  std::uint32_t first_ = 0;  // per depth: no member written yet
};

}  // namespace nanofaas::detail
