// Queue: record views and holds. A polled record's views stay valid until it is handed back,
// whatever happens to its message meanwhile (expiry, another reader's delete, redrive); its
// slot is reused only then.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "source_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::make_queue;
using test::ManualClock;
using test::numbered;
using test::open;
using test::poll;

TEST(QueueTest, RecordViewsSurviveLaterSendsWhileInFlight) {
  auto queue = make_queue({.name = "q"});
  ASSERT_TRUE(queue->send(PayloadView("first"), {.attributes = {{"k", "v"}}}));
  auto reader = open(*queue);
  auto records = poll(*reader, 1);
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(queue->send(PayloadView(numbered("m", i))));
  std::vector<Record> more;
  while (reader->poll(0, 1000, more) > 0) {
  }
  EXPECT_EQ(more.size(), 5000u);
  EXPECT_EQ(records[0].body.view(), "first");
  EXPECT_EQ(records[0].attributes[0].value, "v");
  EXPECT_EQ(more.back().body.view(), "m4999");
}

// Reader A's batch outlives its visibility timeout; reader B receives the message again and
// deletes it, then traffic reuses every free slot (and, FIFO, another group's entry). A's
// views read the message until A hands its record back, which frees the slot: the bounded
// queue holds `bound` messages again. `fifo` also checks the group name A sees.
void ExpectViewsSurviveADeleteByAnotherReader(bool fifo) {
  ManualClock clock;
  constexpr std::size_t bound = 4;
  auto queue = make_queue({.name = fifo ? "q.fifo" : "q",
                           .fifo = fifo,
                           .visibility_timeout = 10s,
                           .max_messages = bound,
                           .clock = &clock});
  auto a = open(*queue);
  auto b = open(*queue);
  const auto drain = [&] {
    std::vector<Record> records;
    while (b->poll(0, bound, records) > 0) {
    }
    b->ack(records);
    return records.size();
  };
  for (int cycle = 0; cycle < 300; ++cycle) {
    const std::string body = numbered("held body, long enough for the heap ", cycle);
    auto id = queue->send(PayloadView(body),
                          {.message_group_id = "g1", .attributes = {{"k", body + " attribute"}}});
    ASSERT_TRUE(id);
    auto held = poll(*a, 1);
    ASSERT_EQ(held.size(), 1u);
    clock.advance(10s);
    auto again = poll(*b, 1);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].receive_count, 2u);
    b->ack(again);
    EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
    for (int k = 0; k < 20; ++k) {
      for (std::size_t n = 0; n + 1 < bound; ++n) {
        ASSERT_TRUE(queue->send(PayloadView(numbered("other message body of the same size ", k)),
                                {.message_group_id = "g2", .attributes = {{"k", "other"}}}));
      }
      ASSERT_EQ(drain(), bound - 1);
    }
    EXPECT_EQ(held[0].body.view(), body);
    EXPECT_EQ(held[0].id, *id);
    ASSERT_EQ(held[0].attributes.size(), 1u);
    EXPECT_EQ(held[0].attributes[0].name, "k");
    EXPECT_EQ(held[0].attributes[0].value, body + " attribute");
    EXPECT_EQ(held[0].partition_key, fifo ? "g1" : "");
    // The deleted message's memory counts against the bound until A lets go.
    for (std::size_t n = 0; n + 1 < bound; ++n) {
      ASSERT_TRUE(queue->send(PayloadView("fill"), {.message_group_id = "g2"}));
    }
    auto full = queue->send(PayloadView("one too many"), {.message_group_id = "g2"});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, Errc::resource_exhausted);
    ASSERT_EQ(drain(), bound - 1);
    // Any of the three ends the stale receive's hold, without changing anything else.
    switch (cycle % 3) {
      case 0: a->release(held); break;
      case 1: a->ack(held); break;
      default: a->nack(held, 0s); break;
    }
    EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
    for (std::size_t n = 0; n < bound; ++n) {
      ASSERT_TRUE(queue->send(PayloadView("refill"), {.message_group_id = "g3"})) << cycle;
    }
    ASSERT_FALSE(queue->send(PayloadView("refill"), {.message_group_id = "g3"}));
    ASSERT_EQ(drain(), bound);
  }
}

TEST(QueueTest, ViewsOfAnExpiredReceiveSurviveAnotherReadersDeleteUntilHandedBack) {
  ExpectViewsSurviveADeleteByAnotherReader(false);
}

TEST(FifoQueueTest, ViewsOfAnExpiredReceiveSurviveAnotherReadersDeleteUntilHandedBack) {
  ExpectViewsSurviveADeleteByAnotherReader(true);
}

// As above, but B's poll moves the message to the dead-letter queue (its receive count is
// spent), where it is received and deleted: the queue copies the message for the dead-letter
// queue instead of moving it away from under A.
void ExpectViewsSurviveARedrive(bool fifo) {
  ManualClock clock;
  constexpr std::size_t bound = 2;
  auto dlq = make_queue(
      {.name = fifo ? "dlq.fifo" : "dlq", .fifo = fifo, .max_messages = bound, .clock = &clock});
  auto queue = make_queue({.name = fifo ? "q.fifo" : "q",
                           .fifo = fifo,
                           .visibility_timeout = 10s,
                           .max_receive_count = 1,
                           .dead_letter_queue = dlq,
                           .max_messages = bound,
                           .clock = &clock});
  auto a = open(*queue);
  auto b = open(*queue);
  auto dead = open(*dlq);
  for (int cycle = 0; cycle < 200; ++cycle) {
    const std::string body = numbered("poison body, long enough for the heap ", cycle);
    auto id = queue->send(PayloadView(body),
                          {.message_group_id = "g1", .attributes = {{"k", body + " attribute"}}});
    ASSERT_TRUE(id);
    auto held = poll(*a, 1);
    ASSERT_EQ(held.size(), 1u);
    clock.advance(10s);
    EXPECT_TRUE(poll(*b, 1).empty());  // moved instead of received again
    auto moved = poll(*dead, 1);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].body.view(), body);
    EXPECT_EQ(moved[0].id, *id);
    ASSERT_EQ(moved[0].attributes.size(), 1u);
    EXPECT_EQ(moved[0].attributes[0].value, body + " attribute");
    EXPECT_EQ(moved[0].partition_key, fifo ? "g1" : "");
    dead->ack(moved);
    for (int k = 0; k < 20; ++k) {
      const std::string other = numbered("other message body of the same size ", k);
      ASSERT_TRUE(queue->send(PayloadView(other), {.message_group_id = "g2"}));
      b->ack(poll(*b, 1));
      for (std::size_t n = 0; n < bound; ++n) {
        ASSERT_TRUE(dlq->send(PayloadView(other), {.message_group_id = "g2"}));
      }
      std::vector<Record> records;
      while (dead->poll(0, bound, records) > 0) {
      }
      ASSERT_EQ(records.size(), bound);
      dead->ack(records);
    }
    EXPECT_EQ(held[0].body.view(), body);
    EXPECT_EQ(held[0].id, *id);
    ASSERT_EQ(held[0].attributes.size(), 1u);
    EXPECT_EQ(held[0].attributes[0].value, body + " attribute");
    EXPECT_EQ(held[0].partition_key, fifo ? "g1" : "");
    ASSERT_TRUE(queue->send(PayloadView("fill"), {.message_group_id = "g2"}));
    ASSERT_FALSE(queue->send(PayloadView("fill"), {.message_group_id = "g2"}));  // A's hold
    b->ack(poll(*b, 1));
    a->release(held);
    for (std::size_t n = 0; n < bound; ++n) {
      ASSERT_TRUE(queue->send(PayloadView("refill"), {.message_group_id = "g3"})) << cycle;
    }
    ASSERT_FALSE(queue->send(PayloadView("refill"), {.message_group_id = "g3"}));
    std::vector<Record> records;
    while (b->poll(0, bound, records) > 0) {
    }
    ASSERT_EQ(records.size(), bound);
    b->ack(records);
  }
}

TEST(QueueTest, ViewsSurviveARedriveToTheDeadLetterQueueUntilHandedBack) {
  ExpectViewsSurviveARedrive(false);
}

TEST(FifoQueueTest, ViewsSurviveARedriveToTheDeadLetterQueueUntilHandedBack) {
  ExpectViewsSurviveARedrive(true);
}

TEST(QueueTest, ReleaseLeavesTheMessageInFlightUntilItsVisibilityTimeout) {
  ManualClock clock;
  auto queue =
      make_queue({.name = "q", .visibility_timeout = 10s, .max_messages = 1, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  auto first = poll(*reader, 1);
  ASSERT_EQ(first.size(), 1u);
  reader->release(first);
  EXPECT_EQ(queue->approximate_in_flight(), 1u);
  EXPECT_EQ(queue->approximate_visible(), 0u);
  clock.advance(9s);
  EXPECT_TRUE(poll(*reader, 1).empty());
  clock.advance(1s);
  auto second = poll(*reader, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2u);
  EXPECT_EQ(second[0].id, first[0].id);
  // Released after its timeout ran out and before anyone received it again: still visible.
  clock.advance(10s);
  reader->release(second);
  EXPECT_EQ(queue->approximate_visible(), 1u);
  auto third = poll(*reader, 1);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3u);
  reader->ack(third);  // no hold is left: the slot is free at once
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
  EXPECT_TRUE(queue->send(PayloadView("next")));
}

TEST(QueueTest, HeldRecordsOutliveTheQueueAndAnotherReadersDelete) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .visibility_timeout = 10s, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("held body, long enough for the heap"),
                          {.attributes = {{"k", "v"}}}));
  auto a = open(*queue);
  auto b = open(*queue);
  auto held = poll(*a, 1);
  ASSERT_EQ(held.size(), 1u);
  const std::string id(held[0].id);
  queue.reset();
  clock.advance(10s);
  b->ack(poll(*b, 1));
  b.reset();
  EXPECT_EQ(held[0].body.view(), "held body, long enough for the heap");
  EXPECT_EQ(held[0].id, id);
  EXPECT_EQ(held[0].attributes[0].value, "v");
  a->release(held);
}

}  // namespace
