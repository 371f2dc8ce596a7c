// The filter's content operators: prefix, suffix, equals-ignore-case, wildcard, numeric, exists
// and anything-but.

#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "filter_fixture.hpp"

namespace {

using nanofaas::test::compile;
using nanofaas::test::matches;

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

}  // namespace
