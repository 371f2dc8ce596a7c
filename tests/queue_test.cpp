// Queue: sends, receives, visibility, nacks, redrive to a dead-letter queue, bounds,
// configuration and listeners.

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

}  // namespace
