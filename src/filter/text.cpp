#include "filter/text.hpp"

#include <string>
#include <utility>

namespace nanofaas::detail::filter {
namespace {

bool is_continuation(unsigned char byte) noexcept {
  return (byte & 0xC0) == 0x80;
}

// Decodes the code point starting at text[i] and moves i past it. simdjson has validated the
// UTF-8 of every string it hands over; a stray byte still decodes (as itself) so that nothing
// here can read out of bounds.
char32_t next_code_point(std::string_view text, std::size_t& i) noexcept {
  const auto lead = static_cast<unsigned char>(text[i++]);
  int extra = 0;
  char32_t c = lead;
  if (lead >= 0xF0) {
    extra = 3;
    c = lead & 0x07;
  } else if (lead >= 0xE0) {
    extra = 2;
    c = lead & 0x0F;
  } else if (lead >= 0xC0) {
    extra = 1;
    c = lead & 0x1F;
  } else {
    return lead;
  }
  for (; extra > 0 && i < text.size() && is_continuation(static_cast<unsigned char>(text[i]));
       --extra) {
    c = (c << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return c;
}

// Decodes the code point that ends just before text[end] and moves end to its first byte.
char32_t previous_code_point(std::string_view text, std::size_t& end) noexcept {
  std::size_t start = end - 1;
  while (start > 0 && end - start < 4 && is_continuation(static_cast<unsigned char>(text[start]))) {
    --start;
  }
  std::size_t i = start;
  const char32_t c = next_code_point(text, i);
  if (i != end) {  // not a well-formed sequence: take the last byte alone
    end -= 1;
    return static_cast<unsigned char>(text[end]);
  }
  end = start;
  return c;
}

}  // namespace

std::string concat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (const std::string_view piece : pieces) size += piece.size();
  std::string joined;
  joined.reserve(size);
  for (const std::string_view piece : pieces) joined += piece;
  return joined;
}

std::u32string fold_utf8(std::string_view text) {
  std::u32string folded;
  folded.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) folded.push_back(fold_case(next_code_point(text, i)));
  return folded;
}

bool starts_with_ignore_case(std::string_view text, std::u32string_view folded) noexcept {
  std::size_t i = 0;
  for (const char32_t expected : folded) {
    if (i == text.size() || fold_case(next_code_point(text, i)) != expected) return false;
  }
  return true;
}

bool equals_ignore_case(std::string_view text, std::u32string_view folded) noexcept {
  std::size_t i = 0;
  for (const char32_t expected : folded) {
    if (i == text.size() || fold_case(next_code_point(text, i)) != expected) return false;
  }
  return i == text.size();
}

bool ends_with_ignore_case(std::string_view text, std::u32string_view folded) noexcept {
  std::size_t end = text.size();
  for (auto it = folded.rbegin(); it != folded.rend(); ++it) {
    if (end == 0 || fold_case(previous_code_point(text, end)) != *it) return false;
  }
  return true;
}

Expected<Wildcard> Wildcard::compile(std::string_view pattern) {
  Wildcard wildcard;
  std::string piece;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        return Unexpected(Error{Errc::invalid_argument,
                                concat({"consecutive '*' at position ", std::to_string(i)})});
      }
      wildcard.pieces_.push_back(std::exchange(piece, {}));
    } else if (c == '\\') {
      if (i + 1 == pattern.size() || (pattern[i + 1] != '*' && pattern[i + 1] != '\\')) {
        return Unexpected(Error{
            Errc::invalid_argument,
            concat({"'\\' at position ", std::to_string(i), " must be followed by '*' or '\\'"})});
      }
      piece.push_back(pattern[++i]);
    } else {
      piece.push_back(c);
    }
  }
  wildcard.pieces_.push_back(std::move(piece));
  return wildcard;
}

bool Wildcard::matches(std::string_view text) const noexcept {
  const std::string_view first = pieces_.front();
  if (pieces_.size() == 1) return text == first;
  const std::string_view last = pieces_.back();
  if (text.size() < first.size() + last.size() || !text.starts_with(first) ||
      !text.ends_with(last)) {
    return false;
  }
  // Between the anchored ends, the leftmost occurrence of each middle piece is always the best
  // choice: it leaves the most room for the pieces after it. A piece starts with a UTF-8 lead
  // byte, so it can only be found at a character boundary.
  std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
  for (std::size_t p = 1; p + 1 < pieces_.size(); ++p) {
    const std::size_t at = middle.find(pieces_[p]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + pieces_[p].size());
  }
  return true;
}

}  // namespace nanofaas::detail::filter
