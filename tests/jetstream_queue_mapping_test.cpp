// Event source mappings over a JetStream queue on a real server: batches, partial batch
// failures and redrive, through the engine as any queue source is polled.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "esm_fixture.hpp"
#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// A server, a connection, an engine and a JetStream queue source over stream "q".
struct MappingFixture {
  explicit MappingFixture(JetStreamQueueConfig config) {
    config.stream = "q";
    auto made = jetstream_queue_source(js, std::move(config));
    if (!made) throw std::runtime_error(made.error().message);
    source = *made;
  }
  /// True when no message of "q" can be received within `wait`.
  bool queue_stays_empty(std::chrono::milliseconds wait) {
    auto reader = source->open({}).value();
    std::vector<Record> got;
    const bool any = eventually([&] { return reader->poll(0, 10, got) > 0; }, wait);
    reader->release(got);
    return !any;
  }
  NatsServers servers;
  JetStream js = JetStream::connect({.servers = servers.urls()}).value();
  Engine engine = make_engine();
  std::shared_ptr<Source> source;
};

TEST(JetStreamQueueMappingTest, DeliversEveryMessageInBatchesAndAcksThem) {
  MappingFixture f({});
  Journal journal;
  ASSERT_TRUE(f.engine.add_function({.name = "f"}, journal.handler()));
  auto uuid = f.engine.create_event_source_mapping(
      {.source = f.source, .function_name = "f", .batch_size = 7});
  ASSERT_TRUE(uuid) << uuid.error().message;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(f.js.publish("q", numbered("m", i)));
  ASSERT_TRUE(journal.wait_items(100));
  ASSERT_TRUE(eventually([&] { return metrics_of(f.engine, *uuid).records_succeeded == 100; }));
  {
    std::lock_guard lock(journal.mutex);
    std::set<std::string> seen;
    for (auto& b : journal.batches) {
      EXPECT_LE(b.size(), 7u);
      for (auto& i : b) EXPECT_TRUE(seen.insert(i.body).second) << i.body;
    }
    EXPECT_EQ(seen.size(), 100u);
  }
  ASSERT_TRUE(f.engine.delete_event_source_mapping(*uuid));
  EXPECT_TRUE(f.queue_stays_empty(500ms));  // every message was acked
}

TEST(JetStreamQueueMappingTest, TwoEnginesOnTheirOwnConnectionsShareTheMessages) {
  // As two processes would: each engine its own connection, source and mapping.
  MappingFixture f({});
  auto other_js = JetStream::connect({.servers = f.servers.urls()}).value();
  auto other_source = jetstream_queue_source(other_js, {.stream = "q"});
  ASSERT_TRUE(other_source) << other_source.error().message;
  auto other_engine = make_engine();
  Journal mine;
  Journal theirs;
  ASSERT_TRUE(f.engine.add_function({.name = "f"}, mine.handler()));
  ASSERT_TRUE(other_engine.add_function({.name = "f"}, theirs.handler()));
  ASSERT_TRUE(f.engine.create_event_source_mapping(
      {.source = f.source, .function_name = "f", .batch_size = 5}));
  ASSERT_TRUE(other_engine.create_event_source_mapping(
      {.source = *other_source, .function_name = "f", .batch_size = 5}));
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(f.js.publish("q", numbered("m", i)));
  ASSERT_TRUE(eventually([&] {
    std::scoped_lock lock(mine.mutex, theirs.mutex);
    return mine.items + theirs.items >= 300;
  }));
  std::set<std::string> seen;
  for (const auto& body : mine.bodies()) seen.insert(body);
  for (const auto& body : theirs.bodies()) seen.insert(body);
  EXPECT_EQ(seen.size(), 300u);  // every message, each received by one engine only (no retry)
  EXPECT_EQ(mine.bodies().size() + theirs.bodies().size(), 300u);
}

TEST(JetStreamQueueMappingTest, ReportedItemFailuresComeBackAfterTheVisibilityTimeout) {
  MappingFixture f({.visibility_timeout = 2s});
  Journal journal;
  ASSERT_TRUE(
      f.engine.add_function({.name = "f", .timeout = 1s}, journal.failing_first_receive_of("bad")));
  EventSourceMappingConfig config{.source = f.source, .function_name = "f", .batch_size = 10};
  config.maximum_batching_window = 200ms;  // the three messages in one batch
  config.report_batch_item_failures = true;
  for (const char* body : {"a", "bad", "c"}) ASSERT_TRUE(f.js.publish("q", body));
  auto uuid = f.engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid) << uuid.error().message;
  ASSERT_TRUE(journal.wait_items(4));  // the failed one again
  ASSERT_TRUE(eventually([&] { return metrics_of(f.engine, *uuid).records_succeeded == 3; }));
  std::lock_guard lock(journal.mutex);
  const auto& retry = journal.batches.back();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].body, "bad");
  EXPECT_EQ(retry[0].receive_count, 2u);
  std::size_t bodies = 0;
  for (const auto& b : journal.batches) bodies += b.size();
  EXPECT_EQ(bodies, 4u);  // "a" and "c" were acked the first time
}

TEST(JetStreamQueueMappingTest, FailingMessagesMoveToTheDeadLetterStreamAfterMaxReceiveCount) {
  MappingFixture f({.visibility_timeout = 2s, .max_receive_count = 2, .dead_letter_stream = "dlq"});
  std::atomic<int> calls{0};
  ASSERT_TRUE(f.engine.add_function({.name = "f", .timeout = 1s}, [&](const Event&) -> Response {
    calls.fetch_add(1);
    throw std::runtime_error("poison");
  }));
  auto uuid = f.engine.create_event_source_mapping({.source = f.source, .function_name = "f"});
  ASSERT_TRUE(uuid) << uuid.error().message;
  ASSERT_TRUE(f.js.publish("q", "poison"));
  const auto dead = read_back(f.js, "dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(metrics_of(f.engine, *uuid).batches_failed, 2u);
  ASSERT_TRUE(f.engine.delete_event_source_mapping(*uuid));
  EXPECT_TRUE(f.queue_stays_empty(1500ms));  // acked once it was redriven
}

TEST(JetStreamQueueMappingTest, AVisibilityTimeoutShorterThanTheFunctionsIsRefused) {
  MappingFixture f({.visibility_timeout = 1s});
  ASSERT_TRUE(f.engine.add_function({.name = "f", .timeout = 5s}, echo));
  auto uuid = f.engine.create_event_source_mapping({.source = f.source, .function_name = "f"});
  ASSERT_FALSE(uuid);
  EXPECT_EQ(uuid.error().code, Errc::invalid_argument);
}

}  // namespace
