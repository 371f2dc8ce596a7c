#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <latch>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using nanofaas::Errc;
using nanofaas::FilterCriteria;

FilterCriteria compile(std::initializer_list<std::string_view> patterns) {
  auto filter = FilterCriteria::compile(patterns);
  EXPECT_TRUE(filter) << filter.error().message;
  return filter ? std::move(filter).value() : FilterCriteria{};
}

// Whether `record` matches the single pattern `pattern`.
bool matches(std::string_view pattern, std::string_view record) {
  return compile({pattern}).matches(record);
}

// The compile error for `patterns` ("" when they compile).
std::string compile_error(std::initializer_list<std::string_view> patterns) {
  auto filter = FilterCriteria::compile(patterns);
  if (filter) return "";
  EXPECT_EQ(filter.error().code, Errc::invalid_argument);
  return filter.error().message;
}

// Expects `pattern` to be rejected with a message that contains every one of `parts`.
void expect_rejected(std::string_view pattern, std::initializer_list<std::string_view> parts) {
  const std::string message = compile_error({pattern});
  ASSERT_FALSE(message.empty()) << pattern << " compiled";
  for (const std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message \"" << message << "\" lacks \"" << part << "\"";
  }
}

TEST(FilterTest, ExactStringIsCaseSensitive) {
  EXPECT_TRUE(matches(R"({"a": ["Alice"]})", R"({"a": "Alice"})"));
  EXPECT_FALSE(matches(R"({"a": ["Alice"]})", R"({"a": "alice"})"));
  EXPECT_FALSE(matches(R"({"a": ["Alice"]})", R"({"a": "Alice "})"));
}

TEST(FilterTest, ExactStringComparesUnescapedText) {
  EXPECT_TRUE(matches(R"({"a": ["A\"b"]})", R"({"a": "\u0041\"b"})"));
  EXPECT_TRUE(matches(R"({"\u0061": ["x"]})", R"({"a": "x"})"));
  EXPECT_TRUE(matches(R"({"a": ["x"]})", R"({"\u0061": "x"})"));
}

TEST(FilterTest, ExactNumberMatchesItsTextForm) {
  EXPECT_TRUE(matches(R"({"a": [300]})", R"({"a": 300})"));
  EXPECT_FALSE(matches(R"({"a": [300]})", R"({"a": 300.0})"));
  EXPECT_FALSE(matches(R"({"a": [300]})", R"({"a": 3e2})"));
  EXPECT_TRUE(matches(R"({"a": [3.0e2]})", R"({"a": 3.0e2})"));
  EXPECT_TRUE(matches(R"({"a": [123456789012]})", R"({"a": 123456789012 })"));
}

TEST(FilterTest, ExactValuesRespectJsonTypes) {
  EXPECT_FALSE(matches(R"({"a": ["300"]})", R"({"a": 300})"));
  EXPECT_FALSE(matches(R"({"a": [300]})", R"({"a": "300"})"));
  EXPECT_FALSE(matches(R"({"a": ["true"]})", R"({"a": true})"));
  EXPECT_TRUE(matches(R"({"a": [true]})", R"({"a": true})"));
  EXPECT_FALSE(matches(R"({"a": [true]})", R"({"a": false})"));
  EXPECT_TRUE(matches(R"({"a": [false]})", R"({"a": false})"));
}

TEST(FilterTest, NullAndEmptyStringAreDistinct) {
  EXPECT_TRUE(matches(R"({"a": [null]})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": [null]})", R"({"a": ""})"));
  EXPECT_FALSE(matches(R"({"a": [null]})", R"({"b": 1})"));
  EXPECT_TRUE(matches(R"({"a": [""]})", R"({"a": ""})"));
  EXPECT_FALSE(matches(R"({"a": [""]})", R"({"a": null})"));
}

TEST(FilterTest, ListIsAnOr) {
  EXPECT_TRUE(matches(R"({"a": [1, 2]})", R"({"a": 2})"));
  EXPECT_FALSE(matches(R"({"a": [1, 2]})", R"({"a": 3})"));
  EXPECT_TRUE(matches(R"({"a": ["x", {"prefix": "y"}]})", R"({"a": "yes"})"));
}

TEST(FilterTest, SeveralKeysAreAnAnd) {
  const auto filter = compile({R"({"a": ["1"], "b": ["2"]})"});
  EXPECT_TRUE(filter.matches(R"({"b": "2", "c": 0, "a": "1"})"));
  EXPECT_FALSE(filter.matches(R"({"a": "1"})"));
  EXPECT_FALSE(filter.matches(R"({"a": "1", "b": "3"})"));
}

TEST(FilterTest, NestedKeys) {
  const auto filter = compile({R"({"detail": {"state": ["running"], "x": {"y": [1]}}})"});
  EXPECT_TRUE(filter.matches(R"({"detail": {"x": {"y": 1}, "state": "running"}})"));
  EXPECT_FALSE(filter.matches(R"({"detail": {"state": "running"}})"));
  EXPECT_FALSE(filter.matches(R"({"detail": "running"})"));
  EXPECT_FALSE(filter.matches(R"({"state": "running", "x": {"y": 1}})"));
}

TEST(FilterTest, LeafRulesIgnoreObjectValues) {
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": {"b": "x"}})"));
  EXPECT_FALSE(matches(R"({"a": [{"exists": true}]})", R"({"a": {"b": "x"}})"));
}

TEST(FilterTest, AnyArrayElementMatches) {
  EXPECT_TRUE(matches(R"({"a": ["x"]})", R"({"a": ["w", "x"]})"));
  EXPECT_TRUE(matches(R"({"a": ["x"]})", R"({"a": [["w"], ["x"]]})"));
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": ["w", "y"]})"));
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": []})"));
  EXPECT_TRUE(matches(R"({"a": ["x", "z"]})", R"({"a": ["y", "z"]})"));
}

TEST(FilterTest, KeysOfOnePatternObjectMatchWithinOneArrayElement) {
  const auto filter = compile({R"({"e": {"first": ["Anna"], "last": ["Smith"]}})"});
  EXPECT_TRUE(filter.matches(R"({"e": [{"first": "John", "last": "Doe"},
                                        {"first": "Anna", "last": "Smith"}]})"));
  EXPECT_FALSE(filter.matches(R"({"e": [{"first": "Anna", "last": "Doe"},
                                         {"first": "John", "last": "Smith"}]})"));
  EXPECT_TRUE(filter.matches(R"({"e": [[{"first": "Anna", "last": "Smith"}]]})"));
}

TEST(FilterTest, ExistsFalseIsJudgedWithinTheArrayElement) {
  const auto filter = compile({R"({"e": {"first": ["Anna"], "ids": [{"exists": false}]}})"});
  EXPECT_TRUE(filter.matches(R"({"e": [{"first": "John", "ids": [1]}, {"first": "Anna"}]})"));
  EXPECT_FALSE(filter.matches(R"({"e": [{"first": "John"}, {"first": "Anna", "ids": [1]}]})"));
}

TEST(FilterTest, Prefix) {
  EXPECT_TRUE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "us-east-1"})"));
  EXPECT_TRUE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "us-"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "eu-west-1"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "US-east-1"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "12"}]})", R"({"r": 123})"));
}

TEST(FilterTest, Suffix) {
  EXPECT_TRUE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "photo.png"})"));
  EXPECT_FALSE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "photo.PNG"})"));
  EXPECT_FALSE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "png"})"));
  EXPECT_TRUE(matches(R"({"f": [{"suffix": "统治者"}]})", R"({"f": "事件统治者"})"));
}

TEST(FilterTest, EqualsIgnoreCaseFoldsUnicode) {
  EXPECT_TRUE(matches(R"({"a": [{"equals-ignore-case": "aBc"}]})", R"({"a": "ABC"})"));
  EXPECT_FALSE(matches(R"({"a": [{"equals-ignore-case": "aBc"}]})", R"({"a": "ABCD"})"));
  EXPECT_FALSE(matches(R"({"a": [{"equals-ignore-case": "aBc"}]})", R"({"a": "xABC"})"));
  EXPECT_TRUE(matches(R"({"a": [{"equals-ignore-case": "ÄÖÜ σ"}]})", R"({"a": "äöü Σ"})"));
  // U+023A and U+2C65 are a case pair of different UTF-8 lengths.
  EXPECT_TRUE(matches(R"({"a": [{"equals-ignore-case": "12ⱥ34"}]})", R"({"a": "12Ⱥ34"})"));
  EXPECT_FALSE(matches(R"({"a": [{"equals-ignore-case": "Ő"}]})", R"({"a": "ŏ"})"));
  EXPECT_FALSE(matches(R"({"a": [{"equals-ignore-case": "1"}]})", R"({"a": 1})"));
}

TEST(FilterTest, PrefixAndSuffixIgnoringCase) {
  EXPECT_TRUE(
      matches(R"({"a": [{"prefix": {"equals-ignore-case": "RuNn"}}]})", R"({"a": "running"})"));
  EXPECT_FALSE(
      matches(R"({"a": [{"prefix": {"equals-ignore-case": "jAVa"}}]})", R"({"a": "jAV"})"));
  EXPECT_TRUE(
      matches(R"({"a": [{"suffix": {"equals-ignore-case": "nInG"}}]})", R"({"a": "running"})"));
  EXPECT_TRUE(
      matches(R"({"a": [{"suffix": {"equals-ignore-case": "12ⱥ34"}}]})", R"({"a": "ȺȺ12Ⱥ34"})"));
  EXPECT_FALSE(
      matches(R"({"a": [{"suffix": {"equals-ignore-case": "xing"}}]})", R"({"a": "ing"})"));
}

TEST(FilterTest, Wildcard) {
  const auto match = [](std::string_view wildcard, std::string_view value) {
    return matches(R"({"a": [{"wildcard": ")" + std::string(wildcard) + R"("}]})",
                   R"({"a": ")" + std::string(value) + R"("})");
  };
  EXPECT_TRUE(match("*", ""));
  EXPECT_TRUE(match("*bc", "abcbc"));
  EXPECT_TRUE(match("d*f", "dexeff"));
  EXPECT_FALSE(match("d*ff", "dexef"));
  EXPECT_FALSE(match("xy*", "abcxyz"));
  EXPECT_TRUE(match("*a*b*c", "xaybzc"));
  EXPECT_FALSE(match("*a*b*c", "xbyazc"));
  EXPECT_FALSE(match("ab*ba", "aba"));
  EXPECT_TRUE(match(R"(hel\\*o)", "hel*o"));
  EXPECT_FALSE(match(R"(hel\\*o)", "hello"));
  EXPECT_TRUE(match(R"(he\\\\*llo)", R"(he\\xxllo)"));
  EXPECT_TRUE(match("*データ*", "prefix_データ_suffix.txt"));
  EXPECT_FALSE(matches(R"({"a": [{"wildcard": "*"}]})", R"({"a": 1})"));
}

TEST(FilterTest, NumericComparisons) {
  const auto in = [](std::string_view range, std::string_view value) {
    return matches(R"({"n": [{"numeric": )" + std::string(range) + "}]}",
                   R"({"n": )" + std::string(value) + "}");
  };
  EXPECT_TRUE(in(R"([">", 10, "<=", 20])", "20"));
  EXPECT_FALSE(in(R"([">", 10, "<=", 20])", "10"));
  EXPECT_TRUE(in(R"([">=", 10, "<", 20])", "10"));
  EXPECT_FALSE(in(R"([">=", 10, "<", 20])", "20"));
  EXPECT_TRUE(in(R"(["<", 0])", "-0.1"));
  EXPECT_TRUE(in(R"(["=", 300])", "3.0e2"));
  EXPECT_TRUE(in(R"(["=", 3.018e2])", "301.8"));
  EXPECT_FALSE(in(R"(["=", 46])", R"("46")"));
  EXPECT_TRUE(in(R"([">", 0])", "[-1, 5]"));
  EXPECT_FALSE(in(R"([">", 0])", "null"));
}

TEST(FilterTest, ExistsTrueNeedsAScalar) {
  EXPECT_TRUE(matches(R"({"a": [{"exists": true}]})", R"({"a": 1})"));
  EXPECT_TRUE(matches(R"({"a": [{"exists": true}]})", R"({"a": null})"));
  EXPECT_TRUE(matches(R"({"a": [{"exists": true}]})", R"({"a": [[""]]})"));
  EXPECT_FALSE(matches(R"({"a": [{"exists": true}]})", R"({"a": []})"));
  EXPECT_FALSE(matches(R"({"a": [{"exists": true}]})", R"({"b": 1})"));
}

TEST(FilterTest, ExistsFalseHoldsWithoutAScalar) {
  EXPECT_TRUE(matches(R"({"a": [{"exists": false}]})", R"({"b": 1})"));
  EXPECT_TRUE(matches(R"({"a": [{"exists": false}]})", R"({"a": []})"));
  EXPECT_TRUE(matches(R"({"a": [{"exists": false}]})", R"({"a": {"c": 1}})"));
  EXPECT_FALSE(matches(R"({"a": [{"exists": false}]})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": [{"exists": false}]})", R"({"a": [1]})"));
  // Nested: an absent parent means an absent child.
  EXPECT_TRUE(matches(R"({"d": {"c": [{"exists": false}]}, "e": [{"exists": false}]})", "{}"));
  EXPECT_TRUE(matches(R"({"d": {"c": [{"exists": false}]}})", R"({"d": 5})"));
  EXPECT_FALSE(matches(R"({"d": {"c": [{"exists": false}]}})", R"({"d": {"c": 5}})"));
}

TEST(FilterTest, ExistsFalseOredWithAValue) {
  const auto filter = compile({R"({"a": [{"exists": false}, "1"]})"});
  EXPECT_TRUE(filter.matches("{}"));
  EXPECT_TRUE(filter.matches(R"({"a": "1"})"));
  EXPECT_FALSE(filter.matches(R"({"a": "2"})"));
}

TEST(FilterTest, AnythingButValues) {
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": "y"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": "x"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": "x"}]})", "{}"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": 1})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "y"})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "z"})"));
}

TEST(FilterTest, AnythingButNumbersCompareNumerically) {
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": [1.11, 2.0]}]})", R"({"a": 2})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": [1.11, 2.0]}]})", R"({"a": 1})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": 444}]})", R"({"a": "444"})"));
}

TEST(FilterTest, AnythingButOverArrays) {
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x", "y"]})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x"]})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": "x"}]})", R"({"a": []})"));
}

TEST(FilterTest, AnythingButOperators) {
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": {"prefix": "$"}}]})", R"({"a": "$x"})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": {"prefix": "$"}}]})", R"({"a": "x$"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": {"prefix": ["$", "%"]}}]})", R"({"a": "%x"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": {"suffix": "ing"}}]})", R"({"a": "going"})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": {"suffix": "ing"}}]})", R"({"a": "gone"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": {"equals-ignore-case": ["yes", "no"]}}]})",
                       R"({"a": "No"})"));
  EXPECT_TRUE(
      matches(R"({"a": [{"anything-but": {"equals-ignore-case": "no"}}]})", R"({"a": "nothing"})"));
  EXPECT_FALSE(matches(R"({"a": [{"anything-but": {"wildcard": ["*foo*", "*bar*"]}}]})",
                       R"({"a": "sbars"})"));
  EXPECT_TRUE(matches(R"({"a": [{"anything-but": {"wildcard": "*foo*"}}]})", R"({"a": "fobaor"})"));
}

TEST(FilterTest, OrAtTheTopAndNested) {
  const auto top = compile({R"({"s": ["a"], "$or": [{"m": ["x"]}, {"t": ["y"], "n": ["z"]}]})"});
  EXPECT_TRUE(top.matches(R"({"s": "a", "m": "x"})"));
  EXPECT_TRUE(top.matches(R"({"s": "a", "t": "y", "n": "z"})"));
  EXPECT_FALSE(top.matches(R"({"s": "a", "t": "y"})"));
  EXPECT_FALSE(top.matches(R"({"s": "b", "m": "x"})"));
  const auto nested = compile({R"({"d": {"$or": [{"c": [{"numeric": [">", 5]}]},
                                                  {"e": [{"exists": false}]}]}})"});
  EXPECT_TRUE(nested.matches(R"({"d": {"c": 6, "e": 1}})"));
  EXPECT_TRUE(nested.matches(R"({"d": {"c": 1}})"));
  EXPECT_FALSE(nested.matches(R"({"d": {"c": 1, "e": 1}})"));
}

TEST(FilterTest, PatternsAreOred) {
  const auto filter =
      compile({R"({"a": ["1"]})", R"({"b": {"c": ["2"]}})", R"({"b": {"d": ["3"]}})"});
  EXPECT_EQ(filter.pattern_count(), 3U);
  EXPECT_TRUE(filter.matches(R"({"a": "1"})"));
  EXPECT_TRUE(filter.matches(R"({"b": {"c": "2"}})"));
  EXPECT_TRUE(filter.matches(R"({"b": [{"d": "3"}]})"));
  EXPECT_FALSE(filter.matches(R"({"b": {"c": "3", "d": "2"}})"));
}

TEST(FilterTest, ManyKeysAndAlternativesSpanSeveralMaskWords) {
  std::string all = "{";
  std::string record = "{";
  std::string branches = R"({"$or": [)";
  for (int i = 0; i < 70; ++i) {
    const std::string key = "\"k" + std::to_string(i) + "\"";
    all += (i ? ", " : "") + key + ": [" + std::to_string(i) + "]";
    branches += std::string(i ? ", " : "") + "{" + key + ": [\"x\"]}";
    if (i != 42) record += (i ? ", " : "") + key + ": " + std::to_string(i);
  }
  all += "}";
  branches += "]}";
  const auto filter = compile({all});
  EXPECT_FALSE(filter.matches(record + "}"));
  EXPECT_TRUE(filter.matches(record + R"(, "k42": 42})"));
  const auto alternatives = compile({branches});
  EXPECT_TRUE(alternatives.matches(R"({"k69": "x"})"));
  EXPECT_TRUE(alternatives.matches(R"({"k0": "x"})"));
  EXPECT_FALSE(alternatives.matches(R"({"k70": "x"})"));
  const auto nested = compile({R"({"n": )" + branches + "}"});
  EXPECT_TRUE(nested.matches(R"({"n": [{"k1": "y"}, {"k68": "x"}]})"));
  EXPECT_FALSE(nested.matches(R"({"n": [{"k1": "y"}, {"k70": "x"}]})"));
}

TEST(FilterTest, RepeatedPatternKeyLastWins) {
  const auto filter = compile({R"({"x": ["y"], "x": ["z"]})"});
  EXPECT_FALSE(filter.matches(R"({"x": "y"})"));
  EXPECT_TRUE(filter.matches(R"({"x": "z"})"));
}

TEST(FilterTest, RepeatedRecordKeysAreAllConsidered) {
  EXPECT_TRUE(matches(R"({"x": ["z"]})", R"({"x": "y", "x": "z"})"));
}

TEST(FilterTest, DefaultPassesEverything) {
  const FilterCriteria filter;
  EXPECT_TRUE(filter.empty());
  EXPECT_TRUE(filter.matches("not json"));
  EXPECT_TRUE(filter.try_match("{}").value());
}

TEST(FilterTest, CopiesShareTheCompiledPatterns) {
  const auto original = compile({R"({"a": ["1"]})"});
  const FilterCriteria copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(copy.matches(R"({"a": "1"})"));
  EXPECT_EQ(copy.pattern_count(), 1U);
}

TEST(FilterTest, CompilesStdStrings) {
  const std::vector<std::string> patterns{R"({"a": ["1"]})", R"({"b": ["2"]})"};
  auto filter = FilterCriteria::compile(patterns);
  ASSERT_TRUE(filter);
  EXPECT_TRUE(filter->matches(R"({"b": "2"})"));
}

TEST(FilterTest, RejectsPatternCounts) {
  EXPECT_NE(compile_error({}).find("at least one pattern"), std::string::npos);
  const std::string_view p = R"({"a": [1]})";
  EXPECT_NE(compile_error({p, p, p, p, p, p}).find("at most 5 patterns, got 6"), std::string::npos);
  EXPECT_EQ(compile_error({p, p, p, p, p}), "");
}

TEST(FilterTest, RejectsMalformedJson) {
  expect_rejected(R"({"a": [1]}, )", {"Filters[0].Pattern", "malformed JSON"});
  expect_rejected(R"({"a": [1}})", {"malformed JSON"});
  expect_rejected(R"({"a": [tru]})", {"malformed JSON", "offset"});
  expect_rejected("", {"Filters[0].Pattern", "malformed JSON"});
  const std::string message = compile_error({R"({"a": [1]})", R"({"a": ["x"] "b": [1]})"});
  EXPECT_NE(message.find("Filters[1].Pattern: malformed JSON at offset"), std::string::npos)
      << message;
}

TEST(FilterTest, RejectsStructuralProblems) {
  expect_rejected(R"(["a"])", {"Filters[0].Pattern: must be a JSON object, not array"});
  expect_rejected("{}", {"Filters[0].Pattern: empty objects are not allowed"});
  expect_rejected(R"({"a": {}})", {R"("a": empty objects are not allowed)"});
  expect_rejected(R"({"a": []})", {R"("a": empty arrays are not allowed)"});
  expect_rejected(R"({"a": {"b": "x"}})",
                  {R"("a.b": must be an array of match values or an object, not string)"});
  expect_rejected(R"({"a": [1, [2]]})", {R"("a"[1]: a match value cannot be an array)"});
  expect_rejected(R"({"$or": [{"a": [1]}]})", {R"("$or": needs an array of at least 2 objects)"});
  expect_rejected(R"({"$or": [{"a": [1]}, 2]})", {R"("$or[1]": must be an object, not number)"});
  expect_rejected(R"({"$or": [{"a": [1]}, {"b": {"c": []}}]})",
                  {R"("$or[1].b.c": empty arrays are not allowed)"});
  std::string deep = R"({"a":)";
  for (int i = 0; i < 70; ++i) deep += R"({"a":)";
  deep += "[1]" + std::string(71, '}');
  expect_rejected(deep, {"nested deeper than 64 levels"});
}

TEST(FilterTest, RejectsTooManyOrBranches) {
  std::string pattern = R"({"$or": [)";
  for (int i = 0; i < 1025; ++i) pattern += std::string(i ? ", " : "") + R"({"a": [1]})";
  pattern += "]}";
  expect_rejected(pattern, {"expands this pattern into more than 1024 alternatives"});
}

TEST(FilterTest, RejectsOperatorProblems) {
  expect_rejected(R"({"detail": {"state": [{"prefx": "a"}]}})",
                  {R"(Filters[0].Pattern, "detail.state"[0]: unknown operator "prefx")"});
  expect_rejected(R"({"a": [{"prefix": "a", "suffix": "b"}]})", {"exactly one key"});
  expect_rejected(R"({"a": [{"prefix": 1}]})", {R"("prefix" needs a string)", "not number"});
  expect_rejected(R"({"a": [{"suffix": {"equals-ignore-case": 1}}]})", {R"("suffix" needs)"});
  expect_rejected(R"({"a": [{"equals-ignore-case": ["x"]}]})", {"needs a string", "not array"});
  expect_rejected(R"({"a": [{"wildcard": "a**b"}]})", {"consecutive '*' at position 1"});
  expect_rejected(R"({"a": [{"wildcard": "a\\b"}]})", {"must be followed by '*' or '\\'"});
  expect_rejected(R"({"a": [{"exists": "yes"}]})", {R"("exists" needs true or false, not string)"});
}

TEST(FilterTest, RejectsNumericProblems) {
  expect_rejected(R"({"a": [{"numeric": 5}]})", {R"("numeric" needs one or two comparisons)"});
  expect_rejected(R"({"a": [{"numeric": [">", 1, "<"]}]})", {"one or two comparisons"});
  expect_rejected(R"({"a": [{"numeric": ["=>", 1]}]})", {R"(unknown comparison "=>")"});
  expect_rejected(R"({"a": [{"numeric": [">", "1"]}]})",
                  {R"(">" must be followed by a number, not string)"});
  expect_rejected(R"({"a": [{"numeric": [1, ">"]}]})", {"expects a comparison", "not number"});
  expect_rejected(R"({"a": [{"numeric": ["=", 1, "<", 2]}]})", {R"("=" cannot be combined)"});
  expect_rejected(R"({"a": [{"numeric": [">", 1, ">=", 2]}]})", {"two lower bounds"});
  expect_rejected(R"({"a": [{"numeric": ["<", 1, "<=", 2]}]})", {"two upper bounds"});
  expect_rejected(R"({"a": [{"numeric": [">", 5, "<", 5]}]})", {"the range is empty"});
  expect_rejected(R"({"a": [{"numeric": ["<", 1, ">", 0]}]})",
                  {"a range starts with its lower bound"});
  expect_rejected(R"({"a": [{"numeric": ["<=", 5, ">=", 1]}]})",
                  {"a range starts with its lower bound"});
}

TEST(FilterTest, RejectsAnythingButProblems) {
  expect_rejected(R"({"a": [{"anything-but": ["x", 1]}]})", {"only strings or only numbers"});
  expect_rejected(R"({"a": [{"anything-but": [true]}]})", {"only strings or only numbers"});
  expect_rejected(R"({"a": [{"anything-but": []}]})", {"non-empty list"});
  expect_rejected(R"({"a": [{"anything-but": null}]})", {R"("anything-but" needs)", "not null"});
  expect_rejected(R"({"a": [{"anything-but": {"numeric": [">", 1]}}]})",
                  {R"(supports prefix, suffix, equals-ignore-case and wildcard, not "numeric")"});
  expect_rejected(R"({"a": [{"anything-but": {"prefix": ""}}]})", {"non-empty string"});
  expect_rejected(R"({"a": [{"anything-but": {"suffix": [1]}}]})", {"only strings"});
  expect_rejected(R"({"a": [{"anything-but": {"wildcard": "**"}}]})", {"consecutive '*'"});
}

TEST(FilterTest, MalformedRecordsMatchNothing) {
  const auto filter = compile({R"({"a": [{"exists": false}]})"});
  for (const std::string_view record :
       {"", "{", R"({"a": })", R"({"a": tru})", R"({"b": 1} x)", R"({"a": "\x"})", "not json",
        "{\"b\": \"\xff\"}", R"({"b" 1})", R"({"a": [1,]})"}) {
    EXPECT_FALSE(filter.matches(record)) << record;
    const auto result = filter.try_match(record);
    ASSERT_FALSE(result) << record;
    EXPECT_EQ(result.error().code, Errc::invalid_argument);
    EXPECT_EQ(result.error().message.rfind("record: ", 0), 0U) << result.error().message;
  }
}

TEST(FilterTest, MalformedValuesUnderPatternKeysAreReported) {
  const auto filter = compile({R"({"a": [1]})"});
  const auto result = filter.try_match(R"({"a": 01})");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("record: malformed JSON at offset 6"), std::string::npos)
      << result.error().message;
  EXPECT_FALSE(filter.matches(R"({"a": 1e999})"));
}

TEST(FilterTest, ARecordInvalidAnywhereMatchesNothing) {
  // Before, after and inside members no pattern names, and after the deciding member.
  const auto filter = compile({R"({"a": [1]})"});
  for (const std::string_view record :
       {R"({"b": tru, "a": 1})", R"({"a": 1, "b": tru})", R"({"b": "\x", "a": 1})",
        R"({"a": 1, "b": {"c": [1,]}})", R"({"b": [1,], "a": 1})", R"({"a": 1, "b": 01})",
        R"({"a": 1} x)", R"({"a": 1, "b": nul})", "{\"a\": 1, \"b\": \"\xff\"}",
        R"({"b": [tru, "a": 1})"}) {
    EXPECT_FALSE(filter.matches(record)) << record;
    const auto result = filter.try_match(record);
    ASSERT_FALSE(result) << record;
    EXPECT_EQ(result.error().message.rfind("record: malformed JSON", 0), 0U)
        << result.error().message;
  }
  // try_match reports a malformed record that matches no pattern too.
  EXPECT_FALSE(filter.try_match(R"({"a": 2, "b": tru})"));
  EXPECT_TRUE(filter.matches(R"({"b": {"c": [1, true, null, "\u0041"]}, "a": 1})"));
}

TEST(FilterTest, RecordThatIsNotAnObjectIsReported) {
  const auto filter = compile({R"({"a": [1]})"});
  const auto result = filter.try_match(R"([{"a": 1}])");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "record: must be a JSON object, not array");
  EXPECT_FALSE(filter.matches("1"));
}

TEST(FilterTest, DeepArraysUnderAPatternKeyAreRefused) {
  const auto filter = compile({R"({"a": [1]})"});
  const std::string deep = R"({"a": )" + std::string(100, '[') + "1" + std::string(100, ']') + "}";
  const auto result = filter.try_match(deep);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("nested deeper than 64 levels"), std::string::npos);
  // Depth elsewhere in the record is not the engine's limit: it only has to be valid JSON.
  const std::string elsewhere =
      R"({"b": )" + std::string(100, '[') + std::string(100, ']') + R"(, "a": 1})";
  EXPECT_TRUE(filter.matches(elsewhere));
}

TEST(FilterTest, TryMatchReportsTheOutcome) {
  const auto filter = compile({R"({"a": [1]})"});
  EXPECT_TRUE(filter.try_match(R"({"a": 1})").value());
  EXPECT_FALSE(filter.try_match(R"({"a": 2})").value());
}

TEST(FilterTest, PaddedRecordsAreReadInPlace) {
  const auto filter = compile({R"({"a": [{"prefix": "x"}]})"});
  std::string record = R"({"a": "xyz"})";
  record.reserve(record.size() + FilterCriteria::record_padding);
  EXPECT_TRUE(filter.matches(record, record.capacity()));
  EXPECT_TRUE(filter.try_match(record, record.capacity()).value());
  // Too little padding falls back to a copy.
  EXPECT_TRUE(filter.matches(record, record.size()));
  EXPECT_FALSE(filter.matches(std::string_view(record).substr(0, 8), record.capacity()));
}

TEST(FilterTest, MatchingIsThreadSafe) {
  const auto filter = compile({R"({"n": [{"numeric": [">=", 0, "<", 500]}]})"});
  constexpr int kThreads = 2;
  constexpr int kRecords = 2000;
  std::latch start(kThreads);
  std::vector<int> matched(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kRecords; ++i) {
        matched[t] += filter.matches(R"({"n": )" + std::to_string(i) + ", \"pad\": \"" +
                                     std::string(static_cast<std::size_t>(i % 300), 'x') + "\"}");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : matched) EXPECT_EQ(count, 500);
}

struct ConformanceCase {
  std::string name;
  std::string pattern;
  std::string event;
  bool match = false;
};

// Reads filter_cases.json, keeping each pattern and event as written (number tokens intact).
simdjson::error_code load_cases(const std::string& path, std::vector<ConformanceCase>& cases) {
  simdjson::padded_string json;
  SIMDJSON_TRY(simdjson::padded_string::load(path).get(json));
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  SIMDJSON_TRY(parser.iterate(json).get(doc));
  simdjson::ondemand::array array;
  SIMDJSON_TRY(doc.get_array().get(array));
  for (auto element : array) {
    simdjson::ondemand::object object;
    SIMDJSON_TRY(element.get_object().get(object));
    ConformanceCase& c = cases.emplace_back();
    for (auto field_result : object) {
      simdjson::ondemand::field field;
      SIMDJSON_TRY(std::move(field_result).get(field));
      std::string_view key;
      SIMDJSON_TRY(field.unescaped_key().get(key));
      std::string_view text;
      if (key == "name") {
        SIMDJSON_TRY(field.value().get_string().get(text));
        c.name = text;
      } else if (key == "pattern" || key == "event") {
        simdjson::ondemand::object value;
        SIMDJSON_TRY(field.value().get_object().get(value));
        SIMDJSON_TRY(value.raw_json().get(text));
        (key == "pattern" ? c.pattern : c.event) = text;
      } else if (key == "match") {
        SIMDJSON_TRY(field.value().get_bool().get(c.match));
      }
    }
  }
  return simdjson::SUCCESS;
}

TEST(FilterConformanceTest, AllSharedCasesPass) {
  const char* from_env = std::getenv("NANOFAAS_CONFORMANCE_DIR");
  const std::filesystem::path path =
      std::filesystem::path(from_env != nullptr ? from_env : NANOFAAS_CONFORMANCE_DIR) /
      "filter_cases.json";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << path << " not found (set NANOFAAS_CONFORMANCE_DIR to its directory)";
  }
  std::vector<ConformanceCase> cases;
  const auto error = load_cases(path.string(), cases);
  ASSERT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error);
  std::vector<std::string> failures;
  for (const ConformanceCase& c : cases) {
    const auto filter = FilterCriteria::compile({c.pattern});
    if (!filter) {
      failures.push_back(c.name + " (pattern rejected: " + filter.error().message + ")");
      continue;
    }
    const auto outcome = filter->try_match(c.event);
    if (!outcome) {
      failures.push_back(c.name + " (event rejected: " + outcome.error().message + ")");
    } else if (*outcome != c.match) {
      failures.push_back(c.name + " (expected " + (c.match ? "match" : "no match") + ")");
    }
  }
  std::printf("filter conformance: %zu passed, %zu failed\n", cases.size() - failures.size(),
              failures.size());
  for (const std::string& failure : failures) std::printf("  FAILED %s\n", failure.c_str());
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(cases.size(), 197U);
}

}  // namespace
