// The JetStream queue source on a real server: what a poll returns, and how each way of
// handing a record back acts on the message (ack, nak with a delay, release, redrive).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::eventually;

/// A server, a connection and a queue source over stream "q".
struct QueueFixture {
  explicit QueueFixture(JetStreamQueueConfig config = {}) {
    if (config.stream.empty()) config.stream = "q";
    auto made = jetstream_queue_source(js, std::move(config));
    if (!made) throw std::runtime_error(made.error().message);
    source = *made;
    reader = source->open({}).value();
  }
  /// Polls until `n` records arrived in total (or the test's patience ends).
  std::vector<Record> poll_until(std::size_t n) { return test::poll_until(*reader, 0, n); }
  test::NatsServers servers;
  JetStream js = JetStream::connect({.servers = servers.urls()}).value();
  std::shared_ptr<Source> source;
  std::unique_ptr<SourceReader> reader;
};

TEST(JetStreamQueueTest, ASourceIsAQueueWithTheConsumersAckWaitAsVisibilityTimeout) {
  QueueFixture f({.visibility_timeout = 7s});
  EXPECT_EQ(f.source->kind(), SourceKind::queue);
  EXPECT_EQ(f.source->name(), "q");
  EXPECT_EQ(f.source->visibility_timeout(), std::optional<std::chrono::nanoseconds>(7s));
  EXPECT_EQ(f.reader->lanes(), 1u);
}

TEST(JetStreamQueueTest, BadConfigurationsAreInvalidArguments) {
  test::NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()}).value();
  for (JetStreamQueueConfig c :
       {JetStreamQueueConfig{.stream = ""}, JetStreamQueueConfig{.stream = "a.b"},
        JetStreamQueueConfig{.stream = "q", .replicas = 0},
        JetStreamQueueConfig{.stream = "q", .max_receive_count = 2},
        JetStreamQueueConfig{.stream = "q", .dead_letter_stream = "d"},
        JetStreamQueueConfig{.stream = "q", .max_in_flight = 0},
        JetStreamQueueConfig{.stream = "q", .prefetch = 0}}) {
    auto made = jetstream_queue_source(js, c);
    ASSERT_FALSE(made) << c.stream;
    EXPECT_EQ(made.error().code, Errc::invalid_argument);
  }
  auto missing = jetstream_queue_source(js, {.stream = "absent", .create = false});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().message;
}

TEST(JetStreamQueueTest, APollReturnsTheRecordsFieldsAndTheListenerIsCalled) {
  QueueFixture f;
  std::atomic<int> wakes{0};
  f.reader->set_listener([&] { wakes.fetch_add(1); });
  const auto before = Clock::steady().now();
  const TraceContext trace =
      TraceContext::from_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .value();
  ASSERT_TRUE(f.js.publish("q", R"({"n":1})",
                           {.headers = {{"colour", "blue"},
                                        {"traceparent", trace.traceparent()},
                                        {"Nanofaas-Chain-Depth", "3"}}}));
  const auto records = f.poll_until(1);
  ASSERT_EQ(records.size(), 1u);
  const Record& r = records[0];
  EXPECT_EQ(r.id, "1");
  EXPECT_EQ(r.sequence_number, 1u);
  EXPECT_EQ(r.body.view(), R"({"n":1})");
  ASSERT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.attributes[0].name, "colour");
  EXPECT_EQ(r.attributes[0].value, "blue");
  EXPECT_EQ(r.trace.trace_id_hex(), trace.trace_id_hex());
  EXPECT_EQ(r.chain_depth, 3u);
  EXPECT_EQ(r.receive_count, 1u);
  EXPECT_EQ(r.lane, 0u);
  EXPECT_GE(r.arrival_time, before - 1s);  // wall and steady clocks agree within a second
  EXPECT_LE(r.arrival_time, Clock::steady().now());
  EXPECT_GE(wakes.load(), 1);
  f.reader->ack(records);
}

TEST(JetStreamQueueTest, AnAckedMessageIsGoneAndANackedOneComesBackAfterItsDelay) {
  QueueFixture f({.visibility_timeout = 30s});
  ASSERT_TRUE(f.js.publish("q", "a"));
  ASSERT_TRUE(f.js.publish("q", "b"));
  auto first = f.poll_until(2);
  ASSERT_EQ(first.size(), 2u);
  const Record& a = first[0].body.view() == "a" ? first[0] : first[1];
  const Record& b = first[0].body.view() == "a" ? first[1] : first[0];
  const std::string b_id(b.id);  // a record's views end when it is handed back
  f.reader->ack(std::span<const Record>(&a, 1));
  const auto nacked = std::chrono::steady_clock::now();
  f.reader->nack(std::span<const Record>(&b, 1), 200ms);  // milliseconds reach the server
  auto again = f.poll_until(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - nacked, 150ms);
  EXPECT_EQ(again[0].body.view(), "b");
  EXPECT_EQ(again[0].receive_count, 2u);
  EXPECT_EQ(again[0].id, b_id);
  f.reader->ack(again);
  std::vector<Record> none;
  EXPECT_EQ(f.reader->poll(0, 10, none), 0u);
}

TEST(JetStreamQueueTest, AReleasedMessageComesBackAfterTheVisibilityTimeout) {
  QueueFixture f({.visibility_timeout = 1s});
  ASSERT_TRUE(f.js.publish("q", "m"));
  auto first = f.poll_until(1);
  const auto released = std::chrono::steady_clock::now();
  f.reader->release(first);
  auto again = f.poll_until(1);
  EXPECT_GE(std::chrono::steady_clock::now() - released, 500ms);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2u);
  f.reader->ack(again);
}

TEST(JetStreamQueueTest, MessagesWaitingInTheReadersBufferAreNotDeliveredAgain) {
  QueueFixture f({.visibility_timeout = 1s});
  for (const char* body : {"a", "b", "c"}) ASSERT_TRUE(f.js.publish("q", body));
  // Fetched into the buffer at once, then left unpolled for more than two ack waits: the
  // reader keeps them in progress, so none is delivered again and no receive is used up.
  std::this_thread::sleep_for(2500ms);
  auto records = f.poll_until(3);
  ASSERT_EQ(records.size(), 3u);
  for (const Record& r : records) EXPECT_EQ(r.receive_count, 1u) << r.body.view();
  f.reader->ack(records);
  std::vector<Record> none;
  EXPECT_FALSE(eventually([&] { return f.reader->poll(0, 1, none) > 0; }, 1500ms));
}

TEST(JetStreamQueueTest, ExtendingVisibilityKeepsAMessageFromComingBack) {
  QueueFixture f({.visibility_timeout = 2s});
  ASSERT_TRUE(f.js.publish("q", "m"));
  auto held = f.poll_until(1);
  // Kept in progress for two ack waits: no second delivery meanwhile.
  const auto until = std::chrono::steady_clock::now() + 4s;
  std::vector<Record> more;
  while (std::chrono::steady_clock::now() < until) {
    f.reader->extend_visibility(held, 2s);
    EXPECT_FALSE(eventually([&] { return f.reader->poll(0, 1, more) > 0; }, 300ms));
  }
  EXPECT_TRUE(more.empty());
  f.reader->ack(held);
}

TEST(JetStreamQueueTest, TwoReadersShareTheMessagesEachReceivingADifferentOne) {
  QueueFixture f;
  auto other = f.source->open({}).value();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(f.js.publish("q", test::numbered("m", i)));
  std::vector<Record> mine;
  std::vector<Record> theirs;
  ASSERT_TRUE(eventually([&] {
    f.reader->poll(0, 50, mine);
    other->poll(0, 50, theirs);
    return mine.size() + theirs.size() >= 200;
  }));
  std::set<std::string> bodies;
  for (const auto* records : {&mine, &theirs}) {
    for (const Record& r : *records) EXPECT_TRUE(bodies.insert(std::string(r.body.view())).second);
  }
  EXPECT_EQ(bodies.size(), 200u);
  f.reader->ack(mine);
  other->ack(theirs);
}

TEST(JetStreamQueueTest, AMessageReceivedMoreThanMaxReceiveCountMovesToTheDeadLetterStream) {
  QueueFixture f({.visibility_timeout = 30s, .max_receive_count = 2, .dead_letter_stream = "dlq"});
  ASSERT_TRUE(f.js.publish("q", "poison", {.headers = {{"colour", "red"}}}));
  for (std::uint32_t receive = 1; receive <= 2; ++receive) {
    auto got = f.poll_until(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].receive_count, receive);
    f.reader->nack(got, 0ns);
  }
  // The third delivery goes to the dead-letter stream instead, with its headers.
  const auto dead = test::read_back(f.js, "dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].headers.at("colour"), "red");
  EXPECT_EQ(dead[0].headers.at("Nanofaas-Redriven-From"), "q:1");
  std::vector<Record> none;
  EXPECT_FALSE(eventually([&] { return f.reader->poll(0, 1, none) > 0; }, 1s));
}

}  // namespace
