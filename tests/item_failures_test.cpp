// The ReportBatchItemFailures response parser of event source mappings on its own: what each
// shape of response comes to for a batch of records "a", "b", "c".

#include "esm/item_failures.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using nanofaas::Payload;
using nanofaas::Record;
using nanofaas::detail::InvalidItemFailures;
using nanofaas::detail::item_failures;

const std::vector<Record>& batch() {
  static const std::vector<Record> records{{.id = "a"}, {.id = "b"}, {.id = "c"}};
  return records;
}

/// The failed indexes for a JSON `response` (nothing reported through `Response`).
auto from_json(std::string_view response) {
  return item_failures({}, Payload::copy_of(response), batch());
}

using Indexes = std::vector<std::size_t>;

TEST(MappingItemFailuresTest, ValidResponseNamesTheFailedRecordsInBatchOrder) {
  auto failed =
      from_json(R"({"batchItemFailures":[{"itemIdentifier":"c"},{"itemIdentifier":"a"}]})");
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, (Indexes{0, 2}));
}

TEST(MappingItemFailuresTest, AnIdentifierNamedTwiceFailsItsRecordOnce) {
  auto failed =
      from_json(R"({"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"b"}]})");
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, (Indexes{1}));
}

TEST(MappingItemFailuresTest, EmptyListIsSuccess) {
  auto failed = from_json(R"({"batchItemFailures":[]})");
  ASSERT_TRUE(failed);
  EXPECT_TRUE(failed->empty());
}

TEST(MappingItemFailuresTest, EmptyNullOrKeylessResponseIsSuccess) {
  for (std::string_view response : {"", "null", "{}", R"({"batchItemFailures":null})"}) {
    auto failed = from_json(response);
    ASSERT_TRUE(failed) << response;
    EXPECT_TRUE(failed->empty()) << response;
  }
}

// As Lambda: a response that is not valid JSON fails the whole batch (none is deleted).
TEST(MappingItemFailuresTest, InvalidJsonFailsTheBatch) {
  for (std::string_view response :
       {R"({"batchItemFailures":[{"itemIdentifier":"a"})", "not json", R"({"batchItemFailures")",
        R"({"batchItemFailures":[]} trailing)"}) {
    auto failed = from_json(response);
    ASSERT_FALSE(failed) << response;
    EXPECT_EQ(failed.error().message, "the response is not valid JSON") << response;
  }
}

TEST(MappingItemFailuresTest, BatchItemFailuresThatIsNotAListFailsTheBatch) {
  for (std::string_view response :
       {R"({"batchItemFailures":"a"})", R"({"batchItemFailures":{"itemIdentifier":"a"}})",
        R"({"batchItemFailures":1})"}) {
    auto failed = from_json(response);
    ASSERT_FALSE(failed) << response;
    EXPECT_EQ(failed.error().message, "batchItemFailures is not a list") << response;
  }
}

TEST(MappingItemFailuresTest, AResponseThatIsNotAnObjectFailsTheBatch) {
  for (std::string_view response : {R"([{"itemIdentifier":"a"}])", R"("a")", "1", "true"}) {
    auto failed = from_json(response);
    ASSERT_FALSE(failed) << response;
    EXPECT_EQ(failed.error().message, "the response is not a JSON object") << response;
  }
}

TEST(MappingItemFailuresTest, AnEntryWithoutAUsableIdentifierFailsTheBatch) {
  for (std::string_view response :
       {R"({"batchItemFailures":[{"itemIdentifier":""}]})",       // empty
        R"({"batchItemFailures":[{"itemIdentifier":null}]})",     // null
        R"({"batchItemFailures":[{}]})",                          // missing
        R"({"batchItemFailures":[{"itemidentifier":"a"}]})",      // a bad key name
        R"({"batchItemFailures":[{"itemIdentifier":1}]})",        // not a string
        R"({"batchItemFailures":["a"]})",                         // not an object
        R"({"batchItemFailures":[{"itemIdentifier":"a"},{}]})"})  // after a good one
  {
    auto failed = from_json(response);
    ASSERT_FALSE(failed) << response;
    EXPECT_EQ(InvalidItemFailures::error_type, "InvalidBatchItemFailures");
    EXPECT_EQ(failed.error().message, "a batchItemFailures entry has no itemIdentifier")
        << response;
  }
}

TEST(MappingItemFailuresTest, AnIdentifierNotInTheBatchFailsTheBatch) {
  auto failed =
      from_json(R"({"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"x"}]})");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "itemIdentifier x is not in the batch");
}

TEST(MappingItemFailuresTest, IdentifiersReportedThroughTheResponseTypeWinOverItsJson) {
  const std::vector<std::string> reported{"b"};
  auto failed = item_failures(
      reported, Payload::copy_of(R"({"batchItemFailures":[{"itemIdentifier":"a"}]})"), batch());
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, (Indexes{1}));
}

TEST(MappingItemFailuresTest, ReportedIdentifiersAreCheckedAgainstTheBatch) {
  const std::vector<std::string> unknown{"x"};
  auto failed = item_failures(unknown, Payload(), batch());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "itemIdentifier x is not in the batch");
  const std::vector<std::string> empty_id{""};
  failed = item_failures(empty_id, Payload(), batch());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "itemIdentifier  is not in the batch");
}

}  // namespace
