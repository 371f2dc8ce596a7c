// The records a filter reads: malformed ones refused whole, try_match's report, padded records
// read in place, and matching from several threads.

#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "filter_fixture.hpp"

namespace {

using nanofaas::Errc;
using nanofaas::FilterCriteria;
using nanofaas::test::compile;

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

}  // namespace
