#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "filter/json_tree.hpp"
#include "filter/matcher.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail::filter {

/// What is wrong with a match list, and in which of its elements (none: the list itself).
struct MatchListProblem {
  static constexpr std::size_t whole_list = static_cast<std::size_t>(-1);
  std::size_t element = whole_list;
  std::string message;
};

/// Compiles the match list of one key (`["a", 3, {"prefix": "b"}, {"exists": false}]`) into
/// matchers, any one of which satisfies the key.
Expected<std::vector<Matcher>, MatchListProblem> compile_match_list(const JsonValue& list);

}  // namespace nanofaas::detail::filter
