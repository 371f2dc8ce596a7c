#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string_view>

namespace nanofaas::fuzz {

/// Whether `text` is one JSON text by RFC 8259's grammar and valid UTF-8, independently of
/// simdjson's parsers: the reference the filter's "malformed records match nothing" is checked
/// against. Texts nested deeper than `max_depth` count as valid (the grammar has no limit).
class JsonGrammar {
 public:
  static constexpr int max_depth = 256;

  /// True when `text` is a JSON text whose root is an object.
  static bool is_object(std::string_view text) {
    if (!simdjson::validate_utf8(text.data(), text.size())) return false;
    JsonGrammar grammar(text);
    grammar.skip_space();
    if (grammar.at_end() || grammar.peek() != '{') return false;
    if (!grammar.value(0)) return false;
    if (grammar.depth_exceeded_) return true;
    grammar.skip_space();
    return grammar.at_end();
  }

 private:
  explicit JsonGrammar(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool take(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool digits() {
    const std::size_t start = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }
  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  bool number() {
    take('-');
    if (take('0')) {
      // no leading zeros
    } else if (!digits()) {
      return false;
    }
    if (take('.') && !digits()) return false;
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    return true;
  }

  bool string() {
    if (!take('"')) return false;
    while (!at_end()) {
      const auto c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (at_end()) return false;
      const char e = text_[pos_++];
      if (e == 'u') {
        for (int k = 0; k < 4; ++k) {
          if (at_end() || !is_hex(peek())) return false;
          ++pos_;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  bool value(int depth) {
    if (depth > max_depth) {
      depth_exceeded_ = true;
      return true;
    }
    skip_space();
    if (at_end()) return false;
    switch (peek()) {
      case '{': return members('{', '}', depth, true);
      case '[': return members('[', ']', depth, false);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // An object's members or an array's elements, from the opening bracket to the closing one.
  bool members(char open, char close, int depth, bool keyed) {
    take(open);
    skip_space();
    if (take(close)) return true;
    for (;;) {
      if (keyed) {
        skip_space();
        if (!string()) return false;
        skip_space();
        if (!take(':')) return false;
      }
      if (!value(depth + 1)) return false;
      if (depth_exceeded_) return true;
      skip_space();
      if (take(close)) return true;
      if (!take(',')) return false;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool depth_exceeded_ = false;
};

}  // namespace nanofaas::fuzz
