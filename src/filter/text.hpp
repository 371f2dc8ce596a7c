#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/expected.hpp"

// String operators of filter patterns: case-insensitive comparison and wildcards over UTF-8.
namespace nanofaas::detail::filter {

/// The pieces joined into one string. (For messages: GCC 12 misreports `"literal" + std::string`
/// under -Wrestrict.)
std::string concat(std::initializer_list<std::string_view> pieces);

/// Unicode simple case folding of one code point (e.g. 'A' -> 'a', U+023A -> U+2C65).
char32_t fold_case(char32_t c) noexcept;

/// `text` decoded and case-folded, for comparing against event strings.
std::u32string fold_utf8(std::string_view text);

/// Whether `text` equals, starts with, or ends with the already folded `folded`, ignoring case.
bool equals_ignore_case(std::string_view text, std::u32string_view folded) noexcept;
bool starts_with_ignore_case(std::string_view text, std::u32string_view folded) noexcept;
bool ends_with_ignore_case(std::string_view text, std::u32string_view folded) noexcept;

/// A compiled `wildcard` operand: literal pieces separated by `*` (each `*` matches any
/// run of characters, including none). `\*` and `\\` stand for a literal `*` and `\`.
class Wildcard {
 public:
  /// Compiles `pattern`; fails on `**` or a `\` not followed by `*` or `\`.
  static Expected<Wildcard> compile(std::string_view pattern);
  /// Whether `text` matches the whole pattern.
  bool matches(std::string_view text) const noexcept;

 private:
  std::vector<std::string> pieces_;  // pieces_.size() - 1 stars between them
};

}  // namespace nanofaas::detail::filter
