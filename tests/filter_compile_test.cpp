// Compiling a filter: the default and copies, and the patterns refused, each with a message
// that says where and why.

#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "filter_fixture.hpp"

namespace {

using nanofaas::FilterCriteria;
using nanofaas::test::compile;
using nanofaas::test::compile_error;
using nanofaas::test::expect_rejected;

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

}  // namespace
