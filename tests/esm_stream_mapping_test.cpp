// Stream mappings: starting positions, per-shard and per-key order, batching windows, tumbling
// windows and iterator age.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/stream.hpp"

#include "esm_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(StreamMappingTest, ReadsEveryShardInOrderAndCheckpoints) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto stream = make_stream({.name = "s", .shards = 3});
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(stream->put_record(numbered("k", i % 7), PayloadView(std::to_string(i))));
  }
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 16};
  config.starting_position = StartingPosition::trim_horizon;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(journal.wait_items(300));
  std::lock_guard lock(journal.mutex);
  std::map<std::uint32_t, std::uint64_t> last;
  std::map<std::string, int> last_value;
  for (auto& b : journal.batches) {
    for (auto& i : b) {
      EXPECT_GT(i.sequence, last[i.shard]);
      last[i.shard] = i.sequence;
      const int value = std::stoi(i.body);
      auto [it, fresh] = last_value.emplace(i.key, value);
      if (!fresh) {
        EXPECT_GT(value, it->second);
      }
      it->second = value;
      EXPECT_EQ(i.shard, stream->shard_for(i.key));
    }
  }
  EXPECT_EQ(journal.items, 300u);
}

TEST(StreamMappingTest, LatestSkipsOlderRecordsAndAtTimestampStartsThere) {
  ManualClock clock;
  Journal latest_journal;
  Journal at_journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "latest"}, [&](const Event& e) {
    latest_journal.record(e);
    return Response();
  }));
  ASSERT_TRUE(engine.add_function({.name = "at"}, [&](const Event& e) {
    at_journal.record(e);
    return Response();
  }));
  auto stream = make_stream({.name = "s", .clock = &clock});
  ASSERT_TRUE(stream->put_record("k", PayloadView("old")));
  clock.advance(10s);
  const auto mark = clock.now();
  ASSERT_TRUE(stream->put_record("k", PayloadView("middle")));
  EventSourceMappingConfig latest{.source = stream, .function_name = "latest"};
  latest.starting_position = StartingPosition::latest;
  ASSERT_TRUE(engine.create_event_source_mapping(latest));
  EventSourceMappingConfig at{.source = stream, .function_name = "at"};
  at.starting_position = StartingPosition::at_timestamp;
  at.starting_position_timestamp = mark;
  ASSERT_TRUE(engine.create_event_source_mapping(at));
  ASSERT_TRUE(stream->put_record("k", PayloadView("new")));
  ASSERT_TRUE(latest_journal.wait_items(1));
  ASSERT_TRUE(at_journal.wait_items(2));
  EXPECT_EQ(latest_journal.bodies(), (std::vector<std::string>{"new"}));
  EXPECT_EQ(at_journal.bodies(), (std::vector<std::string>{"middle", "new"}));
}

TEST(StreamMappingTest, BatchingWindowGathersUntilTheBatchIsFullOrTheWindowEnds) {
  ManualClock clock;
  Journal journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto stream = make_stream({.name = "s", .clock = &clock});  // one shard: one poller
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 3};
  config.starting_position = StartingPosition::latest;
  config.maximum_batching_window = 5min;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(stream->put_record("k", PayloadView("a")));
  // The poller holds the first record; the window keeps it gathering.
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_polled == 1; }));
  ASSERT_TRUE(stream->put_record("k", PayloadView("b")));
  ASSERT_TRUE(stream->put_record("k", PayloadView("c")));
  ASSERT_TRUE(journal.wait_items(3));
  ASSERT_TRUE(stream->put_record("k", PayloadView("d")));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_polled == 4; }));
  clock.advance(5min);  // the window ends with one record
  ASSERT_TRUE(journal.wait_items(4));
  std::lock_guard lock(journal.mutex);
  ASSERT_EQ(journal.batches.size(), 2u);
  EXPECT_EQ(journal.batches[0].size(), 3u);
  EXPECT_EQ(journal.batches[1].size(), 1u);
}

TEST(StreamMappingTest, ParallelizationKeepsOrderPerPartitionKey) {
  for (int round = 0; round < 3; ++round) {
    Journal journal;
    std::atomic<int> running{0};
    std::atomic<int> peak{0};
    auto engine = make_engine();
    ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e, Context& ctx) {
      const int now = running.fetch_add(1) + 1;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      journal.record(e);
      ctx.sleep_for(200us);  // lets the shard's other batches start meanwhile
      running.fetch_sub(1);
      return Response();
    }));
    auto stream = make_stream({.name = "s"});
    constexpr int keys = 16;
    constexpr int per_key = 100;
    for (int i = 0; i < per_key; ++i) {
      for (int k = 0; k < keys; ++k) {
        ASSERT_TRUE(stream->put_record(numbered("key", k), PayloadView(std::to_string(i))));
      }
    }
    EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 10};
    config.starting_position = StartingPosition::trim_horizon;
    config.parallelization_factor = 4;
    ASSERT_TRUE(engine.create_event_source_mapping(config));
    ASSERT_TRUE(journal.wait_items(keys * per_key));
    std::lock_guard lock(journal.mutex);
    std::map<std::string, int> next;
    for (auto& b : journal.batches) {
      for (auto& i : b) EXPECT_EQ(std::stoi(i.body), next[i.key]++) << i.key;
    }
    EXPECT_GT(peak.load(), 1);  // one shard ran several batches at once
  }
}

TEST(StreamMappingTest, TumblingWindowCarriesStateAndEndsWithAFinalInvocation) {
  ManualClock clock;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> finals;
  std::vector<std::string> states_seen;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) {
    const TumblingWindow* w = e.batch()->window;
    std::lock_guard lock(mutex);
    if (w->is_final_invoke_for_window) {
      finals.emplace_back(w->state);
      changed.notify_all();
      return Response();
    }
    states_seen.emplace_back(w->state);
    const int total = (w->state.empty() ? 0 : std::stoi(std::string(w->state))) +
                      static_cast<int>(e.records().size());
    changed.notify_all();
    return Response().with_state(std::to_string(total));
  }));
  auto stream = make_stream({.name = "s", .clock = &clock});
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 2};
  config.starting_position = StartingPosition::trim_horizon;
  config.tumbling_window = 60s;
  // Stored first: the batches are then exactly [1, 2] and [3].
  for (const char* b : {"1", "2", "3"}) ASSERT_TRUE(stream->put_record("k", PayloadView(b)));
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, patience, [&] { return states_seen.size() == 2; }));
  }
  clock.advance(61s);  // the window ends
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, patience, [&] { return finals.size() == 1; }));
  EXPECT_EQ(finals[0], "3");
  EXPECT_EQ(states_seen, (std::vector<std::string>{"", "2"}));
}

TEST(MappingMetricsTest, IteratorAgeAndBatchSizesAreRecorded) {
  ManualClock clock;
  Journal journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto stream = make_stream({.name = "s", .clock = &clock});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(stream->put_record("k", PayloadView("x")));
  clock.advance(5s);
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 5};
  config.starting_position = StartingPosition::trim_horizon;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(journal.wait_items(5));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 5; }));
  const auto m = metrics_of(engine, *uuid);
  EXPECT_EQ(m.batches, 1u);
  EXPECT_EQ(m.batch_size_buckets[2], 1u);  // 4..7 records
  EXPECT_EQ(m.iterator_age.count(), 1u);
  EXPECT_NEAR(std::chrono::duration<double>(m.iterator_age.p50()).count(), 5.0, 5.0 * 0.01);
  // The engine's snapshot carries the mapping too (what a Prometheus scrape reads).
  const auto snapshot = engine.metrics();
  ASSERT_EQ(snapshot.mappings.size(), 1u);
  EXPECT_EQ(snapshot.mappings[0].uuid, *uuid);
  EXPECT_EQ(snapshot.mappings[0].function_name, "f");
  EXPECT_EQ(snapshot.mappings[0].metrics.records_succeeded, 5u);
  EXPECT_EQ(snapshot.mappings[0].metrics.iterator_age.count(), 1u);
}

}  // namespace
