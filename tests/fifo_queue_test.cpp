// FIFO queue: order per message group, one batch in flight per group, fair polls.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "source_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::bodies;
using test::make_queue;
using test::ManualClock;
using test::numbered;
using test::open;
using test::poll;
using test::Strings;

TEST(FifoQueueTest, AReleasedMessageHoldsItsGroupUntilItsVisibilityTimeout) {
  ManualClock clock;
  auto queue =
      make_queue({.name = "q.fifo", .fifo = true, .visibility_timeout = 10s, .clock = &clock});
  for (const char* b : {"a", "b"}) {
    ASSERT_TRUE(queue->send(PayloadView(b), {.message_group_id = "g"}));
  }
  auto reader = open(*queue);
  auto first = poll(*reader, 1);
  ASSERT_EQ(bodies(first), Strings{"a"});
  reader->release(first);
  EXPECT_TRUE(poll(*reader, 10).empty());
  clock.advance(10s);
  auto again = poll(*reader, 10);
  EXPECT_EQ(bodies(again), (Strings{"a", "b"}));
  EXPECT_EQ(again[0].receive_count, 2u);
  reader->ack(again);
}

TEST(FifoQueueTest, SendWithoutAGroupIdFails) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  EXPECT_EQ(queue->kind(), SourceKind::fifo_queue);
  auto r = queue->send(PayloadView("m"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  auto long_group = queue->send(PayloadView("m"), {.message_group_id = std::string(129, 'g')});
  ASSERT_FALSE(long_group);
  std::vector<Payload> batch;
  batch.push_back(Payload::copy_of("m"));
  EXPECT_EQ(queue->send_batch(batch), 0u);
  EXPECT_EQ(queue->send_batch(batch, "g"), 1u);
}

TEST(FifoQueueTest, MessagesComeInSendOrderPerGroup) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(queue->send(PayloadView(numbered(i % 2 == 0 ? "a" : "b", i)),
                            {.message_group_id = i % 2 == 0 ? "ga" : "gb"}));
  }
  auto reader = open(*queue);
  auto records = poll(*reader, 10);
  ASSERT_EQ(records.size(), 6u);
  Strings a;
  Strings b;
  for (const Record& r : records) {
    (r.partition_key == "ga" ? a : b).emplace_back(r.body.view());
    EXPECT_TRUE(r.partition_key == "ga" || r.partition_key == "gb");
  }
  EXPECT_EQ(a, (Strings{"a0", "a2", "a4"}));
  EXPECT_EQ(b, (Strings{"b1", "b3", "b5"}));
}

TEST(FifoQueueTest, AGroupWithMessagesInFlightIsSkippedWhileOthersFlow) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  ASSERT_TRUE(queue->send(PayloadView("g1-a"), {.message_group_id = "g1"}));
  ASSERT_TRUE(queue->send(PayloadView("g1-b"), {.message_group_id = "g1"}));
  auto reader = open(*queue);
  auto a = poll(*reader, 1);
  EXPECT_EQ(bodies(a), Strings{"g1-a"});
  ASSERT_TRUE(queue->send(PayloadView("g2-a"), {.message_group_id = "g2"}));
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"g2-a"});
  EXPECT_TRUE(poll(*reader, 10).empty());
  reader->ack(a);
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"g1-b"});
}

TEST(FifoQueueTest, NackedMessagesGoBackToTheHeadOfTheirGroup) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  for (const char* b : {"a", "b", "c"}) {
    ASSERT_TRUE(queue->send(PayloadView(b), {.message_group_id = "g"}));
  }
  auto reader = open(*queue);
  auto records = poll(*reader, 2);
  EXPECT_EQ(bodies(records), (Strings{"a", "b"}));
  reader->nack(records, 0s);
  auto again = poll(*reader, 10);
  EXPECT_EQ(bodies(again), (Strings{"a", "b", "c"}));
  EXPECT_EQ(again[0].receive_count, 2u);
  EXPECT_EQ(again[1].receive_count, 2u);
  EXPECT_EQ(again[2].receive_count, 1u);
  // One acked, the rest nacked with a delay: the group waits for its head.
  reader->ack(std::span(again).first(1));
  reader->nack(std::span(again).subspan(1), 1h);
  ASSERT_TRUE(queue->send(PayloadView("d"), {.message_group_id = "g"}));
  EXPECT_TRUE(poll(*reader, 10).empty());
}

TEST(FifoQueueTest, AGroupWaitsUntilNoneOfItsMessagesIsInFlight) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  for (const char* b : {"a", "b", "c"}) {
    ASSERT_TRUE(queue->send(PayloadView(b), {.message_group_id = "g"}));
  }
  auto reader = open(*queue);
  auto records = poll(*reader, 2);
  ASSERT_EQ(bodies(records), (Strings{"a", "b"}));
  reader->nack(std::span(records).first(1), 0s);  // "a" is visible again, "b" still in flight
  EXPECT_TRUE(poll(*reader, 10).empty());
  reader->ack(std::span(records).last(1));
  EXPECT_EQ(bodies(poll(*reader, 10)), (Strings{"a", "c"}));
}

TEST(FifoQueueTest, ExpiredVisibilityReturnsMessagesToTheirPlace) {
  ManualClock clock;
  auto queue =
      make_queue({.name = "q.fifo", .fifo = true, .visibility_timeout = 5s, .clock = &clock});
  for (const char* b : {"a", "b"}) {
    ASSERT_TRUE(queue->send(PayloadView(b), {.message_group_id = "g"}));
  }
  auto reader = open(*queue);
  EXPECT_EQ(bodies(poll(*reader, 1)), Strings{"a"});
  clock.advance(5s);
  EXPECT_EQ(bodies(poll(*reader, 10)), (Strings{"a", "b"}));
}

TEST(FifoQueueTest, ADelayedMessageHoldsBackItsGroup) {
  ManualClock clock;
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("a"), {.message_group_id = "g", .delay = 1s}));
  ASSERT_TRUE(queue->send(PayloadView("b"), {.message_group_id = "g"}));
  ASSERT_TRUE(queue->send(PayloadView("x"), {.message_group_id = "h"}));
  auto reader = open(*queue);
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"x"});
  clock.advance(1s);
  EXPECT_EQ(bodies(poll(*reader, 10)), (Strings{"a", "b"}));
}

TEST(FifoQueueTest, OneLargeGroupDoesNotCrowdOutOthersInAPoll) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(queue->send(PayloadView(numbered("big", i)), {.message_group_id = "big"}));
  }
  ASSERT_TRUE(queue->send(PayloadView("small"), {.message_group_id = "small"}));
  auto reader = open(*queue);
  auto records = poll(*reader, 10);
  ASSERT_EQ(records.size(), 10u);  // the share the small group left goes to the big one
  EXPECT_EQ(std::count_if(records.begin(), records.end(),
                          [](const Record& r) { return r.partition_key == "small"; }),
            1);
  std::vector<std::uint64_t> big;
  for (const Record& r : records) {
    if (r.partition_key == "big") big.push_back(r.sequence_number);
  }
  EXPECT_TRUE(std::is_sorted(big.begin(), big.end()));
}

TEST(FifoQueueTest, AckThatUnblocksAGroupWakesTheListener) {
  auto queue = make_queue({.name = "q.fifo", .fifo = true});
  auto reader = open(*queue);
  std::atomic<int> calls{0};
  reader->set_listener([&] { ++calls; });
  ASSERT_TRUE(queue->send(PayloadView("a"), {.message_group_id = "g"}));
  EXPECT_EQ(calls, 1);
  auto a = poll(*reader, 1);
  ASSERT_TRUE(queue->send(PayloadView("b"), {.message_group_id = "g"}));
  EXPECT_EQ(calls, 1);  // its group is busy
  reader->ack(a);
  EXPECT_EQ(calls, 2);
}

TEST(FifoQueueTest, RedriveKeepsTheGroupAndItsOrder) {
  auto dlq = make_queue({.name = "dlq.fifo", .fifo = true});
  auto queue = make_queue(
      {.name = "q.fifo", .fifo = true, .max_receive_count = 1, .dead_letter_queue = dlq});
  for (const char* b : {"a", "b"}) {
    ASSERT_TRUE(queue->send(PayloadView(b), {.message_group_id = "g"}));
  }
  auto reader = open(*queue);
  reader->nack(poll(*reader, 1), 0s);
  EXPECT_TRUE(poll(*reader, 10).empty());  // "a" moved; "b" waited for that
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"b"});
  auto dead_reader = open(*dlq);
  auto dead = poll(*dead_reader, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body.view(), "a");
  EXPECT_EQ(dead[0].partition_key, "g");
}

}  // namespace
