// A mapping's life: its configuration checked at creation, disabled, updated and deleted at run
// time, and engines that come and go over one source.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "nanofaas/queue.hpp"
#include "nanofaas/stream.hpp"

#include "esm_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(MappingConfigTest, LambdasRangesAndKindSpecificSettingsAreChecked) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&) { return Response(); }));
  auto queue = make_queue({.name = "q"});
  auto fifo = make_queue({.name = "q.fifo", .fifo = true});
  auto stream = make_stream({.name = "s"});
  const auto error_of = [&](EventSourceMappingConfig c) {
    auto r = engine.create_event_source_mapping(std::move(c));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(error_of({.source = queue, .function_name = "f", .batch_size = 0}).find("BatchSize"),
            std::string::npos);
  EXPECT_NE(
      error_of({.source = queue, .function_name = "f", .batch_size = 10001}).find("BatchSize"),
      std::string::npos);
  EXPECT_NE(error_of({.source = fifo, .function_name = "f", .batch_size = 11}).find("BatchSize"),
            std::string::npos);
  EXPECT_NE(error_of({.source = stream, .function_name = "f"}).find("StartingPosition"),
            std::string::npos);
  EventSourceMappingConfig bisect{.source = queue, .function_name = "f"};
  bisect.bisect_batch_on_function_error = true;
  EXPECT_NE(error_of(bisect).find("Bisect"), std::string::npos);
  EventSourceMappingConfig on_failure{.source = queue, .function_name = "f"};
  on_failure.on_failure.function = "f";
  EXPECT_NE(error_of(on_failure).find("dead-letter"), std::string::npos);
  EventSourceMappingConfig fifo_destination{.source = stream, .function_name = "f"};
  fifo_destination.starting_position = StartingPosition::latest;
  fifo_destination.on_failure.queue = fifo;
  EXPECT_NE(error_of(fifo_destination).find("FIFO"), std::string::npos);
  EventSourceMappingConfig parallel{.source = stream, .function_name = "f"};
  parallel.starting_position = StartingPosition::latest;
  parallel.parallelization_factor = 11;
  EXPECT_NE(error_of(parallel).find("ParallelizationFactor"), std::string::npos);
  EventSourceMappingConfig scaling{.source = queue, .function_name = "f"};
  scaling.maximum_concurrency = 1;
  EXPECT_NE(error_of(scaling).find("MaximumConcurrency"), std::string::npos);
  EventSourceMappingConfig retries{.source = stream, .function_name = "f"};
  retries.starting_position = StartingPosition::latest;
  retries.maximum_retry_attempts = 10001;
  EXPECT_NE(error_of(retries).find("MaximumRetryAttempts"), std::string::npos);
  auto missing = engine.create_event_source_mapping({.source = queue, .function_name = "nope"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(engine.delete_event_source_mapping("no-such-uuid").error().code, Errc::not_found);
}

TEST(QueueMappingTest, DisableUpdateAndDeleteAtRunTime) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto queue = make_queue({.name = "q"});
  auto uuid = engine.create_event_source_mapping({.source = queue, .function_name = "f"});
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(queue->send(PayloadView("one")));
  ASSERT_TRUE(journal.wait_items(1));
  auto config = engine.get_event_source_mapping(*uuid);
  ASSERT_TRUE(config);
  config->enabled = false;
  ASSERT_TRUE(engine.update_event_source_mapping(*uuid, *config));
  ASSERT_TRUE(queue->send(PayloadView("two")));
  EXPECT_EQ(queue->approximate_visible(), 1u);  // nobody polls a disabled mapping
  config->enabled = true;
  config->batch_size = 1;
  ASSERT_TRUE(engine.update_event_source_mapping(*uuid, *config));
  ASSERT_TRUE(journal.wait_items(2));
  auto other = make_queue({.name = "other"});
  config->source = other;
  EXPECT_EQ(engine.update_event_source_mapping(*uuid, *config).error().code,
            Errc::invalid_argument);
  ASSERT_TRUE(engine.delete_event_source_mapping(*uuid));
  ASSERT_TRUE(queue->send(PayloadView("three")));
  EXPECT_EQ(queue->approximate_visible(), 1u);
  EXPECT_FALSE(engine.event_source_mapping_metrics(*uuid));
}

TEST(QueueMappingTest, EnginesComeAndGoWhileProducersKeepSending) {
  // A source outlives engines whose mappings read it; its producers may be inside the old
  // listener while an engine shuts down.
  auto queue = make_queue({.name = "q", .max_messages = 1u << 20});
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    while (!stop.load()) (void)queue->send(PayloadView("m"));
  });
  std::thread getter;
  for (int round = 0; round < 30; ++round) {
    auto engine = make_engine();
    ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&) { return Response(); }));
    auto uuid = engine.create_event_source_mapping({.source = queue, .function_name = "f"});
    ASSERT_TRUE(uuid);
    // Reading the configuration while it is replaced is safe.
    std::atomic<bool> reading{true};
    getter = std::thread([&] {
      while (reading.load()) (void)engine.get_event_source_mapping(*uuid);
    });
    auto config = engine.get_event_source_mapping(*uuid);
    ASSERT_TRUE(config);
    config->batch_size = 1 + round % 10;
    ASSERT_TRUE(engine.update_event_source_mapping(*uuid, *config));
    reading.store(false);
    getter.join();
  }
  stop.store(true);
  producer.join();
}

}  // namespace
