#include "filter/matcher.hpp"

#include <algorithm>

namespace nanofaas::detail::filter {

bool Matcher::matches(const Scalar& value) const noexcept {
  using K = Scalar::Kind;
  const bool is_string = value.kind == K::string;
  switch (kind) {
    case Kind::string: return is_string && value.text == text;
    case Kind::number: return value.kind == K::number && value.text == text;
    case Kind::boolean: return value.kind == K::boolean && value.boolean == boolean;
    case Kind::null: return value.kind == K::null;
    case Kind::prefix: return is_string && value.text.starts_with(text);
    case Kind::suffix: return is_string && value.text.ends_with(text);
    case Kind::equals_ignore_case: return is_string && equals_ignore_case(value.text, folded);
    case Kind::prefix_ignore_case: return is_string && starts_with_ignore_case(value.text, folded);
    case Kind::suffix_ignore_case: return is_string && ends_with_ignore_case(value.text, folded);
    case Kind::wildcard: return is_string && wildcard->matches(value.text);
    case Kind::numeric: return value.kind == K::number && range.contains(value.number);
    case Kind::exists: return true;
    case Kind::absent: return false;
    case Kind::anything_but:
      return std::none_of(excluded.begin(), excluded.end(),
                          [&](const Matcher& m) { return m.matches(value); });
  }
  return false;
}

}  // namespace nanofaas::detail::filter
