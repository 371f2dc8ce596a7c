// FIFO queue deduplication: SQS's MessageDeduplicationId and ContentBasedDeduplication, within
// its 5-minute interval by the queue's clock.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "source_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::bodies;
using test::make_queue;
using test::ManualClock;
using test::open;
using test::poll;
using test::Strings;

TEST(FifoDeduplicationTest, ASecondSendWithTheSameIdIsAcceptedButNotDelivered) {
  ManualClock clock;
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .clock = &clock});
  const auto first = queue->send(PayloadView("a"),
                                 {.message_group_id = "g", .message_deduplication_id = "order-1"});
  ASSERT_TRUE(first);
  const auto again = queue->send(
      PayloadView("a again"), {.message_group_id = "other", .message_deduplication_id = "order-1"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);  // the first message's id
  ASSERT_TRUE(queue->send(PayloadView("b"),
                          {.message_group_id = "g", .message_deduplication_id = "order-2"}));
  auto reader = open(*queue);
  auto received = poll(*reader, 10);
  EXPECT_EQ(bodies(received), (Strings{"a", "b"}));
  // Deleting the message does not end the interval.
  reader->ack(received);
  clock.advance(5min - 1ns);
  ASSERT_TRUE(queue->send(PayloadView("a"),
                          {.message_group_id = "g", .message_deduplication_id = "order-1"}));
  EXPECT_TRUE(poll(*reader, 10).empty());
  // After 5 minutes the id is new again.
  clock.advance(1ns);
  ASSERT_TRUE(queue->send(PayloadView("a later"),
                          {.message_group_id = "g", .message_deduplication_id = "order-1"}));
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"a later"});
}

TEST(FifoDeduplicationTest, ContentBasedDeduplicationUsesTheBody) {
  ManualClock clock;
  auto queue = make_queue(
      {.name = "q.fifo", .fifo = true, .content_based_deduplication = true, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("same"), {.message_group_id = "g"}));
  ASSERT_TRUE(queue->send(PayloadView("same"), {.message_group_id = "g"}));
  ASSERT_TRUE(queue->send(PayloadView("different"), {.message_group_id = "g"}));
  // An explicit id takes precedence over the body.
  ASSERT_TRUE(
      queue->send(PayloadView("same"), {.message_group_id = "g", .message_deduplication_id = "x"}));
  std::vector<Payload> batch;
  for (const char* b : {"same", "new", "new"}) batch.push_back(Payload::copy_of(b));
  EXPECT_EQ(queue->send_batch(batch, "g"), 3u);  // duplicates are accepted, not delivered
  auto reader = open(*queue);
  const auto received = poll(*reader, 10);
  EXPECT_EQ(bodies(received), (Strings{"same", "different", "same", "new"}));
  reader->ack(received);
  clock.advance(5min);
  ASSERT_TRUE(queue->send(PayloadView("same"), {.message_group_id = "h"}));
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"same"});
}

TEST(FifoDeduplicationTest, WithoutAnIdOrContentBasedDeduplicationNothingIsADuplicate) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue->send(PayloadView("m"), {.message_group_id = "g"}));
  auto reader = open(*queue);
  EXPECT_EQ(poll(*reader, 10).size(), 3u);
}

TEST(FifoDeduplicationTest, BadIdsAndStandardQueuesAreRefused) {
  auto fifo = make_queue({.name = "q.fifo", .fifo = true});
  for (const std::string& id : {std::string(129, 'd'), std::string("with space"),
                                std::string("tab\t"), std::string("\xc3\xa9")}) {
    auto refused =
        fifo->send(PayloadView("m"), {.message_group_id = "g", .message_deduplication_id = id});
    ASSERT_FALSE(refused) << id;
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  }
  EXPECT_TRUE(fifo->send(PayloadView("m"), {.message_group_id = "g",
                                            .message_deduplication_id = std::string(128, '!')}));
  auto standard = make_queue({.name = "q"});
  auto refused = standard->send(PayloadView("m"), {.message_deduplication_id = "d"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  auto content_based = Queue::create({.name = "q", .content_based_deduplication = true});
  ASSERT_FALSE(content_based);
  EXPECT_EQ(content_based.error().code, Errc::invalid_argument);
}

TEST(FifoDeduplicationTest, TheIdsWithinTheIntervalAreBounded) {
  ManualClock clock;
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .max_messages = 2, .clock = &clock});
  auto reader = open(*queue);
  for (const char* id : {"1", "2"}) {
    ASSERT_TRUE(
        queue->send(PayloadView(id), {.message_group_id = id, .message_deduplication_id = id}));
  }
  reader->ack(poll(*reader, 10));  // the queue is empty, the ids are still remembered
  auto full =
      queue->send(PayloadView("3"), {.message_group_id = "g", .message_deduplication_id = "3"});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, Errc::resource_exhausted);
  // A send without an id is not held back by them.
  EXPECT_TRUE(queue->send(PayloadView("m"), {.message_group_id = "g"}));
  clock.advance(5min);
  reader->ack(poll(*reader, 10));
  EXPECT_TRUE(
      queue->send(PayloadView("3"), {.message_group_id = "g", .message_deduplication_id = "3"}));
}

}  // namespace
