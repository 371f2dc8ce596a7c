#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filter/text.hpp"

// One match value of a pattern's list (`"v"`, `{"prefix": "v"}`, ...) and the event values it
// is tested against.
namespace nanofaas::detail::filter {

/// A scalar value of the event: what a match value is tested against.
struct Scalar {
  enum class Kind : std::uint8_t { string, number, boolean, null };
  Kind kind = Kind::null;
  std::string_view text;  ///< string: unescaped; number: the token as written
  double number = 0;      ///< number: its value
  bool boolean = false;   ///< boolean: its value
};

/// The interval of a `numeric` operator.
struct NumericRange {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;

  bool contains(double x) const noexcept {
    return (low_open ? x > low : x >= low) && (high_open ? x < high : x <= high);
  }
};

/// One compiled match value.
struct Matcher {
  enum class Kind : std::uint8_t {
    string,              ///< `"text"`: that exact string
    number,              ///< `300`: a number written exactly as `text` (Lambda compares text)
    boolean,             ///< `true` / `false`
    null,                ///< `null`
    prefix,              ///< `{"prefix": "text"}`
    suffix,              ///< `{"suffix": "text"}`
    equals_ignore_case,  ///< `{"equals-ignore-case": "text"}`, compared as `folded`
    prefix_ignore_case,  ///< `{"prefix": {"equals-ignore-case": "text"}}`
    suffix_ignore_case,  ///< `{"suffix": {"equals-ignore-case": "text"}}`
    wildcard,            ///< `{"wildcard": "a*b"}`
    numeric,             ///< `{"numeric": [">", 0, "<=", 5]}` and numeric equality
    exists,              ///< `{"exists": true}`: any scalar
    absent,              ///< `{"exists": false}`: no scalar; holds only when the key has none
    anything_but,        ///< `{"anything-but": ...}`: any scalar that no `excluded` matches
  };

  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;
  std::u32string folded;
  NumericRange range;
  std::optional<Wildcard> wildcard;
  std::vector<Matcher> excluded;

  /// Whether `value` satisfies this match value.
  bool matches(const Scalar& value) const noexcept;
};

}  // namespace nanofaas::detail::filter
