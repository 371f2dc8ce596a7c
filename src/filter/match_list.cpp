#include "filter/match_list.hpp"

#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

namespace nanofaas::detail::filter {
namespace {

using Kind = Matcher::Kind;
using Type = JsonValue::Type;
using Result = Expected<Matcher, std::string>;

constexpr std::string_view kOperators =
    "anything-but, equals-ignore-case, exists, numeric, prefix, suffix or wildcard";

Unexpected<std::string> problem(std::initializer_list<std::string_view> pieces) {
  return Unexpected(concat(pieces));
}

std::string in_quotes(std::string_view text) {
  return concat({"\"", text, "\""});
}

std::string not_a(const JsonValue& value) {
  return concat({", not ", type_name(value.type)});
}

Matcher make(Kind kind, std::string_view text = {}) {
  Matcher m;
  m.kind = kind;
  m.text = text;
  return m;
}

// A matcher that compares strings with `text`, in the form `kind` needs.
Result text_matcher(Kind kind, std::string_view text) {
  Matcher m = make(kind);
  switch (kind) {
    case Kind::equals_ignore_case:
    case Kind::prefix_ignore_case:
    case Kind::suffix_ignore_case: m.folded = fold_utf8(text); break;
    case Kind::wildcard: {
      auto wildcard = Wildcard::compile(text);
      if (!wildcard)
        return problem({"\"wildcard\" ", in_quotes(text), ": ", wildcard.error().message});
      m.wildcard = std::move(*wildcard);
      break;
    }
    default: m.text = text;
  }
  return m;
}

Result string_operator(std::string_view name, const JsonValue& operand, Kind kind) {
  if (operand.type != Type::string) {
    return problem({in_quotes(name), " needs a string", not_a(operand)});
  }
  return text_matcher(kind, operand.text);
}

// `prefix` and `suffix` take a string or {"equals-ignore-case": string}.
Result affix(std::string_view name, const JsonValue& operand, Kind kind, Kind ignore_case) {
  if (operand.type == Type::string) return text_matcher(kind, operand.text);
  if (operand.type == Type::object && operand.members.size() == 1 &&
      operand.members[0].key == "equals-ignore-case" &&
      operand.members[0].value.type == Type::string) {
    return text_matcher(ignore_case, operand.members[0].value.text);
  }
  return problem(
      {in_quotes(name), R"( needs a string or {"equals-ignore-case": string})", not_a(operand)});
}

Result numeric(const JsonValue& operand) {
  const auto& terms = operand.elements;
  if (operand.type != Type::array || (terms.size() != 2 && terms.size() != 4)) {
    return problem({R"("numeric" needs one or two comparisons, e.g. [">", 0, "<=", 5])",
                    operand.type == Type::array ? "" : not_a(operand)});
  }
  Matcher m = make(Kind::numeric);
  bool has_low = false;
  bool has_high = false;
  for (std::size_t i = 0; i < terms.size(); i += 2) {
    const JsonValue& op = terms[i];
    const JsonValue& bound = terms[i + 1];
    if (op.type != Type::string) {
      return problem({R"("numeric" expects a comparison (<, <=, =, >=, >))", not_a(op)});
    }
    if (bound.type != Type::number) {
      return problem(
          {R"("numeric": )", in_quotes(op.text), " must be followed by a number", not_a(bound)});
    }
    const std::string_view c = op.text;
    if (c == "=") {
      if (terms.size() != 2) return problem({R"("numeric": "=" cannot be combined with a range)"});
      m.range.low = m.range.high = bound.number;
      has_low = has_high = true;
    } else if (c == ">" || c == ">=") {
      if (std::exchange(has_low, true)) return problem({R"("numeric" has two lower bounds)"});
      // As EventBridge: a range names its lower bound first ([">", 0, "<", 1]).
      if (has_high) return problem({R"("numeric": a range starts with its lower bound (> or >=))"});
      m.range.low = bound.number;
      m.range.low_open = c == ">";
    } else if (c == "<" || c == "<=") {
      if (std::exchange(has_high, true)) return problem({R"("numeric" has two upper bounds)"});
      m.range.high = bound.number;
      m.range.high_open = c == "<";
    } else {
      return problem(
          {R"("numeric": unknown comparison )", in_quotes(c), " (expected <, <=, =, >=, >)"});
    }
  }
  const NumericRange& r = m.range;
  if (r.low > r.high || (r.low == r.high && (r.low_open || r.high_open))) {
    return problem({R"("numeric": the range is empty)"});
  }
  return m;
}

Result exists(const JsonValue& operand) {
  if (operand.type != Type::boolean) {
    return problem({R"("exists" needs true or false)", not_a(operand)});
  }
  return make(operand.boolean ? Kind::exists : Kind::absent);
}

// {"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": string or [strings]}}
Result anything_but_operator(const JsonValue& operand) {
  if (operand.members.size() != 1) {
    return problem({R"("anything-but" takes an object with one operator, not )",
                    std::to_string(operand.members.size())});
  }
  const auto& [name, value] = operand.members.front();
  Kind kind{};
  if (name == "prefix") {
    kind = Kind::prefix;
  } else if (name == "suffix") {
    kind = Kind::suffix;
  } else if (name == "equals-ignore-case") {
    kind = Kind::equals_ignore_case;
  } else if (name == "wildcard") {
    kind = Kind::wildcard;
  } else {
    return problem({R"("anything-but" supports prefix, suffix, equals-ignore-case and wildcard, )",
                    "not ", in_quotes(name)});
  }
  const std::string what = concat({R"("anything-but": )", in_quotes(name)});
  const bool single = value.type == Type::string;
  if (!single && (value.type != Type::array || value.elements.empty())) {
    return problem({what, " needs a string or a non-empty list of strings", not_a(value)});
  }
  Matcher m = make(Kind::anything_but);
  for (const JsonValue& text : single ? std::span(&value, 1) : std::span(value.elements)) {
    if (text.type != Type::string) return problem({what, " list holds only strings", not_a(text)});
    if (text.text.empty() && (kind == Kind::prefix || kind == Kind::suffix)) {
      return problem({what, " needs a non-empty string"});
    }
    auto excluded = text_matcher(kind, text.text);
    if (!excluded) return excluded;
    m.excluded.push_back(std::move(*excluded));
  }
  return m;
}

// {"anything-but": "a" | 3 | ["a", "b"] | [1, 2] | {operator}}. Numbers compare numerically
// (event-ruler's behaviour: [2.0] excludes 2); strings exclude only strings.
Result anything_but(const JsonValue& operand) {
  if (operand.type == Type::object) return anything_but_operator(operand);
  const bool single = operand.type == Type::string || operand.type == Type::number;
  if (!single && (operand.type != Type::array || operand.elements.empty())) {
    return problem(
        {R"("anything-but" needs a string, a number, a non-empty list of either, or an operator)",
         not_a(operand)});
  }
  const auto values = single ? std::span(&operand, 1) : std::span(operand.elements);
  const Type type = values.front().type;
  Matcher m = make(Kind::anything_but);
  for (const JsonValue& value : values) {
    if (value.type != type || (type != Type::string && type != Type::number)) {
      return problem({R"("anything-but" list must hold only strings or only numbers)"});
    }
    Matcher excluded = make(type == Type::string ? Kind::string : Kind::numeric, value.text);
    excluded.range.low = excluded.range.high = value.number;
    m.excluded.push_back(std::move(excluded));
  }
  return m;
}

Result operator_matcher(const JsonValue& object) {
  if (object.members.size() != 1) {
    return problem({"an operator object has exactly one key, this one has ",
                    std::to_string(object.members.size())});
  }
  const auto& [name, operand] = object.members.front();
  if (name == "prefix") return affix(name, operand, Kind::prefix, Kind::prefix_ignore_case);
  if (name == "suffix") return affix(name, operand, Kind::suffix, Kind::suffix_ignore_case);
  if (name == "equals-ignore-case") return string_operator(name, operand, Kind::equals_ignore_case);
  if (name == "wildcard") return string_operator(name, operand, Kind::wildcard);
  if (name == "numeric") return numeric(operand);
  if (name == "exists") return exists(operand);
  if (name == "anything-but") return anything_but(operand);
  return problem({"unknown operator ", in_quotes(name), " (expected ", kOperators, ")"});
}

Result element_matcher(const JsonValue& value) {
  switch (value.type) {
    case Type::string: return make(Kind::string, value.text);
    case Type::number:
      // Lambda compares exact numbers by their text: [300] does not match 300.0 or 3e2.
      return make(Kind::number, value.text);
    case Type::boolean: {
      Matcher m = make(Kind::boolean);
      m.boolean = value.boolean;
      return m;
    }
    case Type::null: return make(Kind::null);
    case Type::object: return operator_matcher(value);
    case Type::array: break;
  }
  return problem({"a match value cannot be an array"});
}

}  // namespace

Expected<std::vector<Matcher>, MatchListProblem> compile_match_list(const JsonValue& list) {
  if (list.elements.empty()) {
    return Unexpected(MatchListProblem{.message = "empty arrays are not allowed"});
  }
  std::vector<Matcher> matchers;
  matchers.reserve(list.elements.size());
  for (std::size_t i = 0; i < list.elements.size(); ++i) {
    auto matcher = element_matcher(list.elements[i]);
    if (!matcher) return Unexpected(MatchListProblem{i, std::move(matcher).error()});
    matchers.push_back(std::move(*matcher));
  }
  return matchers;
}

}  // namespace nanofaas::detail::filter
