// How a filter's patterns match a record's values: exact values and JSON types, keys, nesting,
// arrays, $or, and several patterns.

#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "filter_fixture.hpp"

namespace {

using nanofaas::test::compile;
using nanofaas::test::matches;

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

}  // namespace
