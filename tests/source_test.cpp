#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <latch>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::make_queue;
using test::make_stream;
using test::ManualClock;
using test::numbered;

std::unique_ptr<SourceReader> open(Source& source, ReaderOptions options = {}) {
  auto r = source.open(options);
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

std::vector<Record> poll(SourceReader& reader, std::size_t max, std::uint32_t lane = 0) {
  std::vector<Record> out;
  const std::size_t n = reader.poll(lane, max, out);
  EXPECT_EQ(n, out.size());
  return out;
}

std::vector<std::string> bodies(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) out.emplace_back(r.body.view());
  return out;
}

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Queue

TEST(QueueTest, SentMessagesArePolledWithTheirFieldsAndAckDeletesThem) {
  ManualClock clock;
  auto queue = make_queue({.name = "orders", .clock = &clock});
  EXPECT_EQ(queue->kind(), SourceKind::queue);
  EXPECT_EQ(queue->name(), "orders");
  auto id1 = queue->send(PayloadView("one"), {.attributes = {{"type", "order"}}});
  ASSERT_TRUE(id1);
  clock.advance(1s);
  auto id2 = queue->send(Payload::copy_of("two"));
  ASSERT_TRUE(id2);
  EXPECT_NE(*id1, *id2);
  EXPECT_EQ(queue->approximate_visible(), 2u);

  auto reader = open(*queue);
  EXPECT_EQ(reader->lanes(), 1u);
  auto records = poll(*reader, 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(bodies(records), (Strings{"one", "two"}));
  EXPECT_TRUE(records[0].body.padded());
  EXPECT_EQ(records[0].id, *id1);
  EXPECT_EQ(records[1].id, *id2);
  EXPECT_LT(records[0].sequence_number, records[1].sequence_number);
  EXPECT_EQ(records[0].receive_count, 1u);
  EXPECT_EQ(records[1].arrival_time - records[0].arrival_time, 1s);
  ASSERT_EQ(records[0].attributes.size(), 1u);
  EXPECT_EQ(records[0].attributes[0].name, "type");
  EXPECT_EQ(records[0].attributes[0].value, "order");
  EXPECT_TRUE(records[1].attributes.empty());
  EXPECT_TRUE(records[0].partition_key.empty());
  EXPECT_EQ(queue->approximate_visible(), 0u);
  EXPECT_EQ(queue->approximate_in_flight(), 2u);

  reader->ack(records);
  EXPECT_EQ(queue->approximate_in_flight(), 0u);
  clock.advance(1h);  // deleted messages never come back
  EXPECT_TRUE(poll(*reader, 10).empty());
}

TEST(QueueTest, MessageIdsAreUniqueAndEndInTheSequenceNumber) {
  auto queue = make_queue({.name = "q"});
  auto other = make_queue({.name = "q"});
  std::vector<std::string> ids;
  for (int i = 0; i < 1200; ++i) ids.push_back(queue->send(PayloadView("m")).value());
  ids.push_back(other->send(PayloadView("m")).value());
  auto reader = open(*queue);
  std::vector<Record> records;
  while (reader->poll(0, 500, records) > 0) {
  }
  ASSERT_EQ(records.size(), 1200u);
  for (std::size_t k = 0; k < records.size(); ++k) {
    EXPECT_EQ(records[k].id, ids[k]);
    const std::string seq = std::to_string(records[k].sequence_number);
    EXPECT_TRUE(ids[k].ends_with("-" + seq)) << ids[k];
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());  // across queues too
}

TEST(QueueTest, PollTakesAtMostMaxAndLaneZeroOnly) {
  auto queue = make_queue({.name = "q"});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue->send(PayloadView(numbered("m", i))));
  auto reader = open(*queue);
  EXPECT_TRUE(poll(*reader, 3, 1).empty());
  EXPECT_TRUE(poll(*reader, 0).empty());
  EXPECT_EQ(bodies(poll(*reader, 3)), (Strings{"m0", "m1", "m2"}));
  EXPECT_EQ(bodies(poll(*reader, 3)), (Strings{"m3", "m4"}));
}

TEST(QueueTest, ExpiredVisibilityMakesAMessageVisibleAgainWithReceiveCountTwo) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .visibility_timeout = 10s, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  auto first = poll(*reader, 10);
  ASSERT_EQ(first.size(), 1u);
  clock.advance(9s);
  EXPECT_TRUE(poll(*reader, 10).empty());
  EXPECT_EQ(queue->approximate_in_flight(), 1u);
  clock.advance(1s);
  EXPECT_EQ(queue->approximate_visible(), 1u);
  auto second = poll(*reader, 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2u);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_NE(second[0].handle, first[0].handle);
}

TEST(QueueTest, ExtendVisibilityKeepsAMessageInvisibleLonger) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .visibility_timeout = 10s, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("long")));
  ASSERT_TRUE(queue->send(PayloadView("short")));
  auto reader = open(*queue);
  auto records = poll(*reader, 10);
  ASSERT_EQ(records.size(), 2u);
  clock.advance(5s);
  reader->extend_visibility(std::span(records).first(1), 20s);  // until 25 s
  reader->extend_visibility(std::span(records).last(1), 1s);    // until 6 s
  clock.advance(1s);
  auto short_again = poll(*reader, 10);
  EXPECT_EQ(bodies(short_again), Strings{"short"});
  reader->ack(short_again);
  clock.advance(9s);  // 15 s: the original timeout has passed
  EXPECT_TRUE(poll(*reader, 10).empty());
  clock.advance(10s);
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"long"});
}

TEST(QueueTest, NackWithoutDelayRedeliversAtOnceInOrder) {
  auto queue = make_queue({.name = "q"});
  for (const char* b : {"a", "b", "c"}) ASSERT_TRUE(queue->send(PayloadView(b)));
  auto reader = open(*queue);
  auto records = poll(*reader, 2);
  reader->nack(records, 0s);
  auto again = poll(*reader, 10);
  EXPECT_EQ(bodies(again), (Strings{"a", "b", "c"}));
  EXPECT_EQ(again[0].receive_count, 2u);
  EXPECT_EQ(again[2].receive_count, 1u);
}

TEST(QueueTest, NackWithDelayRedeliversAfterTheDelay) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  auto records = poll(*reader, 1);
  reader->nack(records, 5s);
  EXPECT_EQ(queue->approximate_delayed(), 1u);
  EXPECT_EQ(queue->approximate_in_flight(), 0u);
  clock.advance(4s);
  EXPECT_TRUE(poll(*reader, 1).empty());
  clock.advance(1s);
  auto again = poll(*reader, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2u);
  // The nacked receipt is stale: acking it deletes nothing.
  reader->ack(records);
  EXPECT_EQ(queue->approximate_in_flight(), 1u);
}

TEST(QueueTest, AStaleReceiptAfterRedeliveryDeletesNothing) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .visibility_timeout = 10s, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  auto first = poll(*reader, 1);
  clock.advance(10s);
  auto second = poll(*reader, 1);
  ASSERT_EQ(second.size(), 1u);
  reader->ack(first);
  reader->nack(first, 0s);
  reader->extend_visibility(first, 1h);
  EXPECT_EQ(queue->approximate_in_flight(), 1u);
  clock.advance(10s);  // the stale extension did not apply to the newer receive
  auto third = poll(*reader, 1);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3u);
  reader->ack(second);
  EXPECT_EQ(queue->approximate_in_flight(), 1u);
  reader->ack(third);
  EXPECT_EQ(queue->approximate_in_flight(), 0u);
}

TEST(QueueTest, AckAfterExpiryDeletesWhenNobodyReceivedItSince) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .visibility_timeout = 10s, .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  auto records = poll(*reader, 1);
  clock.advance(11s);
  EXPECT_EQ(queue->approximate_visible(), 1u);
  reader->ack(records);
  EXPECT_EQ(queue->approximate_visible(), 0u);
  EXPECT_TRUE(poll(*reader, 1).empty());
}

TEST(QueueTest, AMessageMovesToTheDeadLetterQueueAfterMaxReceiveCount) {
  ManualClock clock;
  auto dlq = make_queue({.name = "dlq", .clock = &clock});
  auto queue = make_queue({.name = "q",
                           .visibility_timeout = 10s,
                           .max_receive_count = 2,
                           .dead_letter_queue = dlq,
                           .clock = &clock});
  auto id = queue->send(PayloadView("poison"), {.attributes = {{"a", "1"}, {"b", "2"}}});
  ASSERT_TRUE(id);
  ASSERT_TRUE(queue->send(PayloadView("fine")));
  auto reader = open(*queue);
  auto first = poll(*reader, 1);
  ASSERT_EQ(bodies(first), Strings{"poison"});
  reader->nack(first, 0s);
  auto second = poll(*reader, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2u);
  clock.advance(10s);  // expiry counts like a failure
  // The third receive would exceed the count: the message moves instead.
  auto third = poll(*reader, 10);
  EXPECT_EQ(bodies(third), Strings{"fine"});
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 1u);
  EXPECT_EQ(dlq->approximate_visible(), 1u);
  auto dead_reader = open(*dlq);
  auto dead = poll(*dead_reader, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body.view(), "poison");
  EXPECT_EQ(dead[0].id, *id);
  EXPECT_EQ(dead[0].receive_count, 1u);
  ASSERT_EQ(dead[0].attributes.size(), 2u);
  EXPECT_EQ(dead[0].attributes[1].name, "b");
  EXPECT_EQ(dead[0].attributes[1].value, "2");
  EXPECT_EQ(dead[0].arrival_time, first[0].arrival_time);
}

TEST(QueueTest, AFullDeadLetterQueueKeepsTheMessageInItsQueue) {
  auto dlq = make_queue({.name = "dlq", .max_messages = 1});
  ASSERT_TRUE(dlq->send(PayloadView("occupant")));
  auto queue = make_queue({.name = "q", .max_receive_count = 1, .dead_letter_queue = dlq});
  ASSERT_TRUE(queue->send(PayloadView("m")));
  auto reader = open(*queue);
  reader->nack(poll(*reader, 1), 0s);
  EXPECT_TRUE(poll(*reader, 1).empty());  // its move failed
  EXPECT_EQ(queue->approximate_visible(), 1u);
  auto dead_reader = open(*dlq);
  dead_reader->ack(poll(*dead_reader, 1));
  EXPECT_TRUE(poll(*reader, 1).empty());  // moved now
  EXPECT_EQ(queue->approximate_visible(), 0u);
  EXPECT_EQ(bodies(poll(*dead_reader, 1)), Strings{"m"});
}

TEST(QueueTest, AFullQueueRefusesSendsWithResourceExhausted) {
  auto queue = make_queue({.name = "q", .max_messages = 3});
  ASSERT_TRUE(queue->send(PayloadView("a")));
  ASSERT_TRUE(queue->send(PayloadView("b"), {.delay = 1s}));
  auto reader = open(*queue);
  auto in_flight = poll(*reader, 1);
  ASSERT_TRUE(queue->send(PayloadView("c")));
  auto full = queue->send(PayloadView("d"));  // visible + in flight + delayed count
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, Errc::resource_exhausted);
  reader->ack(in_flight);
  ASSERT_TRUE(queue->send(PayloadView("d")));

  auto batch_queue = make_queue({.name = "b", .max_messages = 2});
  std::vector<Payload> batch;
  for (const char* b : {"1", "2", "3"}) batch.push_back(Payload::copy_of(b));
  EXPECT_EQ(batch_queue->send_batch(batch), 2u);
  EXPECT_TRUE(batch[0].empty());
  EXPECT_EQ(batch[2].view(), "3");  // not sent: still the caller's
}

TEST(QueueTest, OversizedMessagesAndBadDelaysAreRefused) {
  auto queue = make_queue({.name = "q"});
  const std::string big(queue_max_message_size + 1, 'x');
  auto r = queue->send(PayloadView(big));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::request_too_large);
  auto with_attributes =
      queue->send(PayloadView(big.substr(0, queue_max_message_size)), {.attributes = {{"n", "v"}}});
  ASSERT_FALSE(with_attributes);
  EXPECT_EQ(with_attributes.error().code, Errc::request_too_large);
  ASSERT_TRUE(queue->send(PayloadView(big.substr(0, queue_max_message_size))));
  auto late = queue->send(PayloadView("m"), {.delay = 16min});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::invalid_argument);
  auto negative = queue->send(PayloadView("m"), {.delay = -1s});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, Errc::invalid_argument);
}

TEST(QueueTest, DelayedMessagesBecomeVisibleWhenTheirDelayEnds) {
  ManualClock clock;
  auto queue = make_queue({.name = "q", .clock = &clock});
  ASSERT_TRUE(queue->send(PayloadView("later"), {.delay = 2s}));
  ASSERT_TRUE(queue->send(PayloadView("now")));
  EXPECT_EQ(queue->approximate_delayed(), 1u);
  auto reader = open(*queue);
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"now"});
  clock.advance(2s);
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"later"});
}

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

TEST(QueueTest, ReadersCompeteAndOutliveTheQueue) {
  auto queue = make_queue({.name = "q"});
  for (const char* b : {"a", "b"}) ASSERT_TRUE(queue->send(PayloadView(b)));
  auto first = open(*queue);
  auto second = open(*queue);
  EXPECT_EQ(bodies(poll(*first, 1)), Strings{"a"});
  queue.reset();
  auto records = poll(*second, 10);
  EXPECT_EQ(bodies(records), Strings{"b"});
  second->ack(records);
}

TEST(QueueTest, BadConfigurationsFailWithInvalidArgument) {
  auto dlq = make_queue({.name = "dlq"});
  auto fifo_dlq = make_queue({.name = "dlq.fifo", .fifo = true});
  const std::vector<QueueConfig> bad = {
      {.name = ""},
      {.name = std::string(81, 'q')},
      {.name = "has space"},
      {.name = "dot.ted"},
      {.name = "q.fifo"},  // standard queues cannot look FIFO
      {.name = "q", .fifo = true},
      {.name = ".fifo", .fifo = true},
      {.name = "q", .visibility_timeout = -1s},
      {.name = "q", .visibility_timeout = 13h},
      {.name = "q", .max_receive_count = 3},
      {.name = "q", .dead_letter_queue = dlq},
      {.name = "q", .max_receive_count = 1001, .dead_letter_queue = dlq},
      {.name = "q", .max_receive_count = 3, .dead_letter_queue = fifo_dlq},
      {.name = "q.fifo", .fifo = true, .max_receive_count = 3, .dead_letter_queue = dlq},
      {.name = "q", .max_messages = 0},
      {.name = "q", .clock = nullptr},
  };
  for (const QueueConfig& config : bad) {
    auto q = Queue::create(config);
    ASSERT_FALSE(q) << config.name;
    EXPECT_EQ(q.error().code, Errc::invalid_argument) << config.name;
    EXPECT_FALSE(q.error().message.empty());
  }
  EXPECT_TRUE(Queue::create({.name = std::string(75, 'q') + ".fifo", .fifo = true}));
  EXPECT_TRUE(
      Queue::create({.name = "A-z_0", .max_receive_count = 1000, .dead_letter_queue = dlq}));
}

TEST(QueueTest, ListenersAreCalledWhenMessagesBecomeVisible) {
  auto queue = make_queue({.name = "q"});
  auto first = open(*queue);
  auto second = open(*queue);
  std::atomic<int> calls_first{0};
  std::atomic<int> calls_second{0};
  first->set_listener([&] { ++calls_first; });
  second->set_listener([&] { ++calls_second; });
  ASSERT_TRUE(queue->send(PayloadView("a")));
  EXPECT_EQ(calls_first, 1);
  EXPECT_EQ(calls_second, 1);
  ASSERT_TRUE(queue->send(PayloadView("later"), {.delay = 1s}));
  EXPECT_EQ(calls_first, 1);  // nothing visible yet
  auto records = poll(*first, 1);
  first->nack(records, 1s);
  EXPECT_EQ(calls_first, 1);
  records = poll(*second, 1);
  EXPECT_TRUE(records.empty());  // still delayed
  queue = make_queue({.name = "r"});
  auto reader = open(*queue);
  reader->set_listener([&] { ++calls_first; });
  ASSERT_TRUE(queue->send(PayloadView("x")));
  EXPECT_EQ(calls_first, 2);
  records = poll(*reader, 1);
  reader->nack(records, 0s);
  EXPECT_EQ(calls_first, 3);
  std::vector<Payload> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(Payload::copy_of("b"));
  EXPECT_EQ(queue->send_batch(batch), 3u);
  EXPECT_EQ(calls_first, 4);  // once per batch
  reader->set_listener({});
  ASSERT_TRUE(queue->send(PayloadView("y")));
  EXPECT_EQ(calls_first, 4);
}

// ---------------------------------------------------------------------------------------------
// FIFO queue

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

// ---------------------------------------------------------------------------------------------
// Queue under concurrency: at-least-once is exactly once when nothing expires.

TEST(QueueConcurrencyTest, EveryMessageIsReceivedAndAckedExactlyOnce) {
  constexpr int producers = 3;
  constexpr int consumers = 3;
  constexpr int per_producer = 80'000;
  constexpr int total = producers * per_producer;
  for (int iteration = 0; iteration < 3; ++iteration) {
    auto queue = make_queue({.name = "q", .visibility_timeout = 12h});
    std::vector<std::atomic<std::uint8_t>> seen(total);
    std::atomic<int> received{0};
    std::atomic<int> producers_left{producers};
    std::latch start(producers + consumers);
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        start.arrive_and_wait();
        std::vector<Payload> batch;
        for (int i = 0; i < per_producer; ++i) {
          const std::string body = std::to_string(p * per_producer + i);
          if (i % 2 == 0) {
            ASSERT_TRUE(queue->send(PayloadView(body)));
          } else {
            batch.push_back(Payload::copy_of(body));
            if (batch.size() == 50) {
              ASSERT_EQ(queue->send_batch(batch), batch.size());
              batch.clear();
            }
          }
        }
        ASSERT_EQ(queue->send_batch(batch), batch.size());
        producers_left.fetch_sub(1);
      });
    }
    for (int c = 0; c < consumers; ++c) {
      threads.emplace_back([&] {
        auto reader = open(*queue);
        std::vector<Record> records;
        start.arrive_and_wait();
        for (;;) {
          const bool done = producers_left.load() == 0;
          records.clear();
          if (reader->poll(0, 100, records) == 0) {
            if (done) break;
            std::this_thread::yield();
            continue;
          }
          for (const Record& r : records) {
            EXPECT_EQ(r.receive_count, 1u);
            EXPECT_EQ(seen[std::stoi(std::string(r.body.view()))].fetch_add(1), 0u);
          }
          received.fetch_add(static_cast<int>(records.size()));
          reader->ack(records);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(received.load(), total);
    EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
    for (int i = 0; i < total; ++i) ASSERT_EQ(seen[i].load(), 1u) << i;
  }
}

TEST(QueueConcurrencyTest, FifoOrderPerGroupHoldsUnderConcurrentConsumers) {
  constexpr int producers = 2;
  constexpr int consumers = 3;
  constexpr int groups_per_producer = 32;
  constexpr int per_group = 3'200;
  constexpr int groups = producers * groups_per_producer;
  constexpr int total = groups * per_group;  // 204'800
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .visibility_timeout = 12h});
  // The next message index each group expects; only one batch per group is in flight.
  std::vector<std::atomic<int>> expected(groups);
  std::vector<std::atomic<int>> busy(groups);
  std::atomic<int> received{0};
  std::atomic<int> producers_left{producers};
  std::latch start(producers + consumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (int i = 0; i < per_group; ++i) {
        for (int g = p * groups_per_producer; g < (p + 1) * groups_per_producer; ++g) {
          const std::string group = numbered("g", g);
          ASSERT_TRUE(queue->send(PayloadView(std::to_string(i)), {.message_group_id = group}));
        }
      }
      producers_left.fetch_sub(1);
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      auto reader = open(*queue);
      std::vector<Record> records;
      std::vector<int> mine;
      start.arrive_and_wait();
      for (;;) {
        const bool done = producers_left.load() == 0;
        records.clear();
        if (reader->poll(0, 10, records) == 0) {
          if (done && received.load() == total) break;
          std::this_thread::yield();
          continue;
        }
        mine.clear();
        for (const Record& r : records) {
          const int g = std::stoi(std::string(r.partition_key.substr(1)));
          if (std::find(mine.begin(), mine.end(), g) == mine.end()) {
            mine.push_back(g);
            EXPECT_EQ(busy[g].fetch_add(1), 0) << "two batches of group " << g;
          }
          const int i = std::stoi(std::string(r.body.view()));
          EXPECT_EQ(expected[g].load(), i) << "group " << g;
          expected[g].store(i + 1);
        }
        for (int g : mine) busy[g].fetch_sub(1);
        received.fetch_add(static_cast<int>(records.size()));
        reader->ack(records);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(received.load(), total);
  for (int g = 0; g < groups; ++g) EXPECT_EQ(expected[g].load(), per_group);
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
}

// Consumers hold their batches for a random busy while around a 100 µs visibility timeout,
// so other consumers receive, delete and redrive the same messages meanwhile, and slots are
// reused at once (a small bound). Every record's views must read its own message until it is
// handed back: the body starts with the message's sequence number, the end of its id.
void ExpectViewsIntactUnderRedelivery(bool fifo) {
  constexpr int consumers = 3;
  constexpr int total = 20'000;
  constexpr std::size_t bound = 64;
  constexpr int groups = 8;
  auto dlq = make_queue({.name = fifo ? "dlq.fifo" : "dlq",
                         .fifo = fifo,
                         .visibility_timeout = 100us,
                         .max_messages = bound});
  auto queue = make_queue({.name = fifo ? "q.fifo" : "q",
                           .fifo = fifo,
                           .visibility_timeout = 100us,
                           .max_receive_count = 3,
                           .dead_letter_queue = dlq,
                           .max_messages = bound});
  std::atomic<bool> produced{false};
  std::atomic<int> mismatches{0};
  std::atomic<int> redelivered{0};
  std::atomic<int> dead_letters{0};
  const auto body_of = [](int k) {
    std::string body = std::to_string(k);
    body += ' ';
    body.append(static_cast<std::size_t>(k % 61), static_cast<char>('a' + k % 26));
    return body;
  };
  const auto check = [&](const Record& r) {
    const std::string_view body = r.body.view();
    const std::size_t space = body.find(' ');
    bool ok = space != std::string_view::npos && space + 1 < r.id.size();
    if (ok) {
      const std::string_view number = body.substr(0, space);
      const int k = std::atoi(std::string(number).c_str());
      ok = r.id.ends_with(number) && r.id[r.id.size() - number.size() - 1] == '-' &&
           body == body_of(k) && r.attributes.size() == 1 && r.attributes[0].value == body &&
           r.partition_key == (fifo ? numbered("g", k % groups) : std::string());
    }
    if (!ok) mismatches.fetch_add(1);
  };
  std::latch start(consumers + 1);
  std::vector<std::thread> threads;
  std::atomic<bool> stuck{false};
  threads.emplace_back([&] {
    start.arrive_and_wait();
    // Slots that are never freed would fill the queue for good.
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    for (int k = 1; k <= total && !stuck.load(); ++k) {
      const std::string body = body_of(k);
      const std::string group = fifo ? numbered("g", k % groups) : std::string();
      // The k-th message has sequence number k (one producer), the end of its id.
      while (!queue->send(PayloadView(body),
                          {.message_group_id = group, .attributes = {{"n", body}}})) {
        if (std::chrono::steady_clock::now() > give_up) {
          stuck.store(true);
          break;
        }
        std::this_thread::yield();
      }
    }
    produced.store(true);
  });
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      auto reader = open(*queue);
      auto dead = open(*dlq);
      std::mt19937 rng(static_cast<unsigned>(c) * 7919u + (fifo ? 1u : 0u));
      std::vector<Record> records;
      std::vector<Record> done;
      std::vector<Record> failed;
      std::vector<Record> left;
      start.arrive_and_wait();
      const auto handle = [&](SourceReader& from, std::size_t max) {
        records.clear();
        if (from.poll(0, max, records) == 0) return false;
        for (const Record& r : records) check(r);
        if (rng() % 2 == 0) {
          const auto until =
              std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 300);
          while (std::chrono::steady_clock::now() < until) {
          }
        }
        done.clear();
        failed.clear();
        left.clear();
        for (const Record& r : records) {
          check(r);
          if (r.receive_count > 1) redelivered.fetch_add(1, std::memory_order_relaxed);
          const unsigned roll = rng() % 4;
          (roll < 2 ? done : roll == 2 ? failed : left).push_back(r);
        }
        from.ack(done);
        from.nack(failed, 0ns);
        from.release(left);
        return true;
      };
      for (;;) {
        const bool finished = produced.load();
        bool got = handle(*reader, 8);
        if (handle(*dead, 8)) {
          dead_letters.fetch_add(1, std::memory_order_relaxed);
          got = true;
        }
        if (got) continue;
        if (finished && queue->approximate_visible() + queue->approximate_in_flight() +
                                dlq->approximate_visible() + dlq->approximate_in_flight() ==
                            0) {
          break;
        }
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(stuck.load());
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(redelivered.load(), 0);
  EXPECT_GT(dead_letters.load(), 0);
  // Every receive was handed back, so no slot is held: both queues take `bound` messages.
  for (auto* q : {queue.get(), dlq.get()}) {
    for (std::size_t n = 0; n < bound; ++n) {
      ASSERT_TRUE(q->send(PayloadView("x"), {.message_group_id = "g"}));
    }
    EXPECT_FALSE(q->send(PayloadView("x"), {.message_group_id = "g"}));
  }
}

TEST(QueueConcurrencyTest, RecordViewsStayIntactWhileSlowConsumersRaceRedeliveries) {
  ExpectViewsIntactUnderRedelivery(false);
}

TEST(QueueConcurrencyTest, FifoRecordViewsStayIntactWhileSlowConsumersRaceRedeliveries) {
  ExpectViewsIntactUnderRedelivery(true);
}

// ---------------------------------------------------------------------------------------------
// Stream

TEST(StreamTest, ShardChoiceIsAStableHashOfTheKey) {
  auto a = make_stream({.name = "a", .shards = 4});
  auto b = make_stream({.name = "b", .shards = 4});
  EXPECT_EQ(a->shard_count(), 4u);
  // FNV-1a 64 modulo the shard count: the same in every process and build.
  EXPECT_EQ(a->shard_for("key"), 0u);
  EXPECT_EQ(a->shard_for("b"), 1u);
  EXPECT_EQ(a->shard_for("partition-7"), 1u);
  auto big = make_stream({.name = "big", .shards = 1024});
  EXPECT_EQ(big->shard_for("key"), 236u);
  EXPECT_EQ(big->shard_for("partition-7"), 993u);
  std::vector<int> used(4);
  for (int i = 0; i < 100; ++i) {
    const std::string key = numbered("k", i);
    EXPECT_EQ(a->shard_for(key), b->shard_for(key));
    auto put = a->put_record(key, PayloadView("x"));
    ASSERT_TRUE(put);
    EXPECT_EQ(put->shard, a->shard_for(key));
    ++used[put->shard];
  }
  for (int n : used) EXPECT_GT(n, 0);
}

TEST(StreamTest, SequenceNumbersIncreasePerShardAndShardsReadInOrder) {
  ManualClock clock;
  auto stream = make_stream({.name = "s", .shards = 4, .clock = &clock});
  EXPECT_EQ(stream->kind(), SourceKind::stream);
  EXPECT_EQ(stream->name(), "s");
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  EXPECT_EQ(reader->lanes(), 4u);
  std::vector<std::vector<std::string>> sent(4);
  std::vector<std::uint64_t> last(4);
  for (int i = 0; i < 200; ++i) {
    const std::string key = numbered("key", i % 13);
    auto put = stream->put_record(key, Payload::copy_of(std::to_string(i)));
    ASSERT_TRUE(put);
    EXPECT_EQ(put->sequence_number, last[put->shard] + 1);
    last[put->shard] = put->sequence_number;
    sent[put->shard].push_back(std::to_string(i));
    clock.advance(1ms);
  }
  for (std::uint32_t shard = 0; shard < 4; ++shard) {
    std::vector<Record> records;
    while (reader->poll(shard, 7, records) > 0) {
    }
    EXPECT_EQ(bodies(records), sent[shard]);
    for (std::size_t k = 0; k < records.size(); ++k) {
      const Record& r = records[k];
      EXPECT_EQ(r.sequence_number, k + 1);
      EXPECT_EQ(r.id, std::to_string(k + 1));
      EXPECT_EQ(r.lane, shard);
      EXPECT_EQ(stream->shard_for(r.partition_key), shard);
      EXPECT_TRUE(r.body.padded());
      EXPECT_TRUE(r.attributes.empty());
      if (k > 0) {
        EXPECT_GT(r.arrival_time, records[k - 1].arrival_time);
      }
    }
  }
  std::vector<Record> none;
  EXPECT_EQ(reader->poll(4, 10, none), 0u);
}

TEST(StreamTest, StartingPositionsTrimHorizonLatestAndAtTimestamp) {
  ManualClock clock;
  auto stream = make_stream({.name = "s", .clock = &clock});
  ASSERT_TRUE(stream->put_record("k", PayloadView("old")));
  clock.advance(1s);
  const Clock::time_point middle = clock.now();
  ASSERT_TRUE(stream->put_record("k", PayloadView("middle")));
  clock.advance(1s);
  auto horizon = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  auto latest = open(*stream, {.starting_position = StartingPosition::latest});
  auto at =
      open(*stream, {.starting_position = StartingPosition::at_timestamp, .timestamp = middle});
  auto future = open(
      *stream, {.starting_position = StartingPosition::at_timestamp, .timestamp = middle + 1h});
  ASSERT_TRUE(stream->put_record("k", PayloadView("new")));
  EXPECT_EQ(bodies(poll(*horizon, 10)), (Strings{"old", "middle", "new"}));
  EXPECT_EQ(bodies(poll(*latest, 10)), Strings{"new"});
  EXPECT_EQ(bodies(poll(*at, 10)), (Strings{"middle", "new"}));
  EXPECT_EQ(bodies(poll(*future, 10)), Strings{"new"});
}

TEST(StreamTest, NackRewindsToTheLowestRecordAndCheckpointMovesPast) {
  auto stream = make_stream({.name = "s"});
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(stream->put_record("k", PayloadView(numbered("r", i))));
  auto records = poll(*reader, 4);
  ASSERT_EQ(records.size(), 4u);
  reader->ack(records);                             // nothing for streams
  reader->nack(std::span(records).subspan(1), 1h);  // the delay is ignored
  EXPECT_EQ(bodies(poll(*reader, 3)), (Strings{"r2", "r3", "r4"}));
  reader->nack(std::span(records).subspan(2), 0s);
  reader->checkpoint(0, 3);  // r3 was processed after all: not read again
  EXPECT_EQ(bodies(poll(*reader, 10)), (Strings{"r4", "r5", "r6"}));
  reader->checkpoint(0, 1000);  // past the end: the next record is still read
  ASSERT_TRUE(stream->put_record("k", PayloadView("r7")));
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"r7"});
}

TEST(StreamTest, TwoReadersAreIndependent) {
  auto stream = make_stream({.name = "s", .shards = 2});
  auto a = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  auto b = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  ASSERT_TRUE(stream->put_record("key", PayloadView("1")));  // shard 0
  ASSERT_TRUE(stream->put_record("key", PayloadView("2")));
  EXPECT_EQ(bodies(poll(*a, 10, 0)), (Strings{"1", "2"}));
  EXPECT_EQ(bodies(poll(*b, 1, 0)), Strings{"1"});
  EXPECT_TRUE(poll(*a, 10, 0).empty());
  EXPECT_EQ(bodies(poll(*b, 10, 0)), Strings{"2"});
  a.reset();  // closing one leaves the other alone
  ASSERT_TRUE(stream->put_record("key", PayloadView("3")));
  EXPECT_EQ(bodies(poll(*b, 10, 0)), Strings{"3"});
}

TEST(StreamTest, RetentionTrimsButKeepsPolledRecordsUntilCheckpointed) {
  ManualClock clock;
  auto stream = make_stream({.name = "s", .retention = 10s, .clock = &clock});
  auto a = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  auto b = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  for (const char* r : {"1", "2", "3"}) ASSERT_TRUE(stream->put_record("k", PayloadView(r)));
  auto held = poll(*a, 2);
  ASSERT_EQ(held.size(), 2u);
  a->checkpoint(0, 1);
  clock.advance(11s);
  ASSERT_TRUE(stream->put_record("k", PayloadView("4")));  // trims lazily
  // Record 1 went; record 2 is polled by `a` and not checkpointed: kept, and valid.
  EXPECT_EQ(stream->approximate_retained(0), 3u);
  EXPECT_EQ(held[1].body.view(), "2");
  EXPECT_EQ(bodies(poll(*b, 10)), (Strings{"2", "3", "4"}));
  EXPECT_EQ(stream->records_expired(), 1u);  // `b` never saw record 1
  b->checkpoint(0, 4);
  a->checkpoint(0, 2);
  EXPECT_EQ(bodies(poll(*a, 10)), (Strings{"4"}));  // record 3 expired unread
  EXPECT_EQ(stream->records_expired(), 2u);
  EXPECT_EQ(stream->approximate_retained(0), 1u);
  auto c = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  EXPECT_EQ(bodies(poll(*c, 10)), (Strings{"4"}));  // the oldest retained: nothing skipped
  EXPECT_EQ(stream->records_expired(), 2u);
}

TEST(StreamTest, TrimmingAcrossChunksKeepsTheRestIntact) {
  ManualClock clock;
  auto stream = make_stream({.name = "s", .retention = 10s, .clock = &clock});
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_TRUE(stream->put_record(numbered("k", i), PayloadView(numbered("r", i))));
  }
  clock.advance(5s);
  for (int i = 1001; i <= 2000; ++i) {
    ASSERT_TRUE(stream->put_record(numbered("k", i), PayloadView(numbered("r", i))));
  }
  auto held = poll(*reader, 1500);
  ASSERT_EQ(held.size(), 1500u);
  reader->checkpoint(0, 700);
  clock.advance(6s);  // the first 1000 are past retention; 701-1500 are held
  ASSERT_TRUE(stream->put_record("k", PayloadView("r2001")));
  EXPECT_EQ(stream->approximate_retained(0), 1301u);
  for (std::size_t k = 700; k < held.size(); ++k) {
    ASSERT_EQ(held[k].body.view(), numbered("r", static_cast<int>(k) + 1));
    ASSERT_EQ(held[k].partition_key, numbered("k", static_cast<int>(k) + 1));
    ASSERT_EQ(held[k].id, std::to_string(k + 1));
  }
  reader->checkpoint(0, 1500);
  auto rest = poll(*reader, 1000);
  ASSERT_EQ(rest.size(), 501u);  // trimmed 701-1000 now, but this reader had them
  EXPECT_EQ(rest.front().body.view(), "r1501");
  EXPECT_EQ(rest.back().body.view(), "r2001");
  EXPECT_EQ(stream->approximate_retained(0), 1001u);
  EXPECT_EQ(stream->records_expired(), 0u);
}

TEST(StreamTest, AFullShardRefusesRecordsWithResourceExhausted) {
  ManualClock clock;
  auto stream =
      make_stream({.name = "s", .retention = 10s, .max_records_per_shard = 2, .clock = &clock});
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  ASSERT_TRUE(stream->put_record("k", PayloadView("1")));
  ASSERT_TRUE(stream->put_record("k", PayloadView("2")));
  auto full = stream->put_record("k", PayloadView("3"));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, Errc::resource_exhausted);
  auto records = poll(*reader, 10);
  clock.advance(10s);
  EXPECT_FALSE(stream->put_record("k", PayloadView("3")));  // polled, not checkpointed
  reader->checkpoint(0, records.back().sequence_number);
  ASSERT_TRUE(stream->put_record("k", PayloadView("3")));
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"3"});
}

TEST(StreamTest, BadKeysOversizedRecordsAndBadConfigurationsAreRefused) {
  auto stream = make_stream({.name = "s"});
  auto empty_key = stream->put_record("", PayloadView("x"));
  ASSERT_FALSE(empty_key);
  EXPECT_EQ(empty_key.error().code, Errc::invalid_argument);
  auto long_key = stream->put_record(std::string(257, 'k'), PayloadView("x"));
  ASSERT_FALSE(long_key);
  EXPECT_EQ(long_key.error().code, Errc::invalid_argument);
  EXPECT_TRUE(stream->put_record(std::string(256, 'k'), PayloadView("x")));
  const std::string big(stream_max_record_size + 1, 'x');
  auto too_big = stream->put_record("k", PayloadView(big));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::request_too_large);
  EXPECT_TRUE(stream->put_record("k", Payload::copy_of(big.substr(1))));

  const std::vector<StreamConfig> bad = {
      {.name = ""},
      {.name = std::string(129, 's')},
      {.name = "a/b"},
      {.name = "s", .shards = 0},
      {.name = "s", .shards = 1025},
      {.name = "s", .retention = 0s},
      {.name = "s", .max_records_per_shard = 0},
      {.name = "s", .clock = nullptr},
  };
  for (const StreamConfig& config : bad) {
    auto s = Stream::create(config);
    ASSERT_FALSE(s) << config.name;
    EXPECT_EQ(s.error().code, Errc::invalid_argument) << config.name;
  }
  EXPECT_TRUE(Stream::create({.name = "A.b-c_9", .shards = 1024}));
}

TEST(StreamTest, ListenersAreCalledAfterPutRecord) {
  auto stream = make_stream({.name = "s", .shards = 3});
  auto a = open(*stream);
  auto b = open(*stream);
  std::atomic<int> calls_a{0};
  std::atomic<int> calls_b{0};
  a->set_listener([&] { ++calls_a; });
  b->set_listener([&] { ++calls_b; });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(stream->put_record(numbered("k", i), PayloadView("x")));
  EXPECT_EQ(calls_a, 5);
  EXPECT_EQ(calls_b, 5);
  b.reset();
  a->set_listener({});
  ASSERT_TRUE(stream->put_record("k", PayloadView("x")));
  EXPECT_EQ(calls_a, 5);
}

TEST(StreamTest, ReadersOutliveTheStream) {
  auto stream = make_stream({.name = "s"});
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  ASSERT_TRUE(stream->put_record("k", PayloadView("kept")));
  stream.reset();
  EXPECT_EQ(bodies(poll(*reader, 10)), Strings{"kept"});
}

TEST(StreamConcurrencyTest, ConcurrentProducersAndShardReadersKeepOrderPerKey) {
  constexpr int producers = 3;
  constexpr int keys_per_producer = 8;
  constexpr int per_key = 10'000;
  constexpr int total = producers * keys_per_producer * per_key;  // 240'000
  auto stream = make_stream({.name = "s", .shards = 4});
  auto reader = open(*stream, {.starting_position = StartingPosition::trim_horizon});
  std::atomic<int> producers_left{producers};
  std::atomic<int> received{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_key; ++i) {
        for (int k = 0; k < keys_per_producer; ++k) {
          const std::string key = numbered("k", p * keys_per_producer + k);
          ASSERT_TRUE(stream->put_record(key, PayloadView(std::to_string(i))));
        }
      }
      producers_left.fetch_sub(1);
    });
  }
  // Two consumers, each owning two shards, checkpointing as they go.
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&, c] {
      std::vector<int> next(producers * keys_per_producer);
      std::vector<Record> records;
      for (;;) {
        const bool done = producers_left.load() == 0;
        std::size_t got = 0;
        for (std::uint32_t shard = static_cast<std::uint32_t>(c); shard < 4; shard += 2) {
          records.clear();
          got += reader->poll(shard, 100, records);
          for (const Record& r : records) {
            const int key = std::stoi(std::string(r.partition_key.substr(1)));
            EXPECT_EQ(std::stoi(std::string(r.body.view())), next[key]++);
          }
          if (!records.empty()) reader->checkpoint(shard, records.back().sequence_number);
          received.fetch_add(static_cast<int>(records.size()));
        }
        if (got == 0) {
          if (done) break;
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(received.load(), total);
}

}  // namespace
