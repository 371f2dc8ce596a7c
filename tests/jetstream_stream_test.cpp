// The JetStream stream source on a real server: shards read in order by one reader each,
// held by leases, checkpoints acked, and a mapping over it through the engine.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "esm_fixture.hpp"
#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_stream.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// A server, a connection and a stream source "s" with `shards` shards and 10 s leases (passed
/// on when a reader closes, never by running out here, even on a loaded machine).
struct StreamFixture {
  explicit StreamFixture(std::uint32_t shards) : shards(shards) {
    auto made = jetstream_stream_source(
        js, {.stream = "s", .shards = shards, .lease_duration = 10s, .fetch_wait = 200ms});
    if (!made) throw std::runtime_error(made.error().message);
    source = *made;
  }
  std::unique_ptr<SourceReader> open() {
    return source->open({.starting_position = StartingPosition::trim_horizon}).value();
  }
  void put(std::string_view key, std::string_view data) {
    auto put = jetstream_put_record(js, "s", shards, key, data);
    if (!put) throw std::runtime_error(put.error().message);
  }
  NatsServers servers;
  JetStream js = JetStream::connect({.servers = servers.urls()}).value();
  std::uint32_t shards;
  std::shared_ptr<Source> source;
};

TEST(JetStreamStreamTest, AShardsRecordsComeInOrderWithTheirPartitionKey) {
  StreamFixture f(1);
  EXPECT_EQ(f.source->kind(), SourceKind::stream);
  for (int i = 0; i < 20; ++i) f.put("k", numbered("r", i));
  auto reader = f.open();
  EXPECT_EQ(reader->lanes(), 1u);
  const auto records = poll_until(*reader, 0, 20);
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(records[i].body.view(), numbered("r", i));
    EXPECT_EQ(records[i].partition_key, "k");
    EXPECT_EQ(records[i].lane, 0u);
    EXPECT_EQ(records[i].sequence_number, static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(records[i].id, std::to_string(i + 1));
    EXPECT_TRUE(records[i].attributes.empty());
  }
  reader->checkpoint(0, 20);
}

TEST(JetStreamStreamTest, EachPutIsARecordOfItsOwnEvenWithTheSameKeyAndData) {
  StreamFixture f(1);  // each put has a message id of its own: no two are deduplicated
  const auto first = jetstream_put_record(f.js, "s", 1, "k", "same");
  const auto second = jetstream_put_record(f.js, "s", 1, "k", "same");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->sequence_number, first->sequence_number + 1);
}

TEST(JetStreamStreamTest, ANewGroupStartingAtLatestReadsOnlyLaterRecords) {
  StreamFixture f(1);
  f.put("k", "before");
  auto latest =
      jetstream_stream_source(f.js, {.stream = "s", .group = "late", .lease_duration = 10s});
  ASSERT_TRUE(latest) << latest.error().message;
  auto reader = (*latest)->open({.starting_position = StartingPosition::latest}).value();
  f.put("k", "after");
  auto records = poll_until(*reader, 0, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].body.view(), "after");
  reader->checkpoint(0, records[0].sequence_number);
}

TEST(JetStreamStreamTest, ANackMovesTheReadPositionBackToTheLowestRecord) {
  StreamFixture f(1);
  for (const char* r : {"a", "b", "c"}) f.put("k", r);
  auto reader = f.open();
  auto first = poll_until(*reader, 0, 3);
  reader->nack(std::span<const Record>(first).subspan(1), 0ns);  // b and c again
  auto again = poll_until(*reader, 0, 2);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].body.view(), "b");
  EXPECT_EQ(again[1].body.view(), "c");
  reader->checkpoint(0, again[1].sequence_number);
}

TEST(JetStreamStreamTest, ANewReaderStartsAfterTheLastCheckpoint) {
  StreamFixture f(1);
  for (int i = 0; i < 10; ++i) f.put("k", numbered("r", i));
  {
    auto reader = f.open();
    auto records = poll_until(*reader, 0, 10);
    reader->checkpoint(0, records[5].sequence_number);  // r0-r5 done
  }
  auto next = f.open();
  auto rest = poll_until(*next, 0, 4);
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].body.view(), "r6");
  EXPECT_EQ(rest[3].body.view(), "r9");
  next->checkpoint(0, rest[3].sequence_number);
}

TEST(JetStreamStreamTest, EachShardHasOneReaderAndPassesToAnotherWhenItCloses) {
  StreamFixture f(2);
  auto first = f.open();
  auto second = f.open();
  // Wait until every shard has a record polled by exactly one of the two readers.
  for (int i = 0; i < 40; ++i) f.put(numbered("key", i), numbered("r", i));
  using Seen = std::map<std::uint32_t, std::vector<std::string>>;
  // Polls every shard of `reader` once, checkpointing what it got; true once 40 were seen.
  const auto take = [](SourceReader& reader, Seen& seen) {
    for (std::uint32_t lane = 0; lane < 2; ++lane) {
      std::vector<Record> records;
      reader.poll(lane, 100, records);
      for (const Record& r : records) seen[lane].emplace_back(r.body.view());
      if (!records.empty()) reader.checkpoint(lane, records.back().sequence_number);
    }
  };
  Seen by_first;
  Seen by_second;
  ASSERT_TRUE(eventually([&] {
    take(*first, by_first);
    take(*second, by_second);
    return by_first[0].size() + by_second[0].size() + by_first[1].size() + by_second[1].size() ==
           40;
  }));
  for (std::uint32_t lane = 0; lane < 2; ++lane) {
    EXPECT_TRUE(by_first[lane].empty() || by_second[lane].empty()) << "shard " << lane;
  }
  // The first reader closes: its shards pass to the second, which reads what comes next.
  first.reset();
  f.put("after", "late");
  const std::uint32_t lane =
      static_cast<std::uint32_t>(jetstream_put_record(f.js, "s", 2, "after", "x").value().shard);
  auto late = poll_until(*second, lane, 2);
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0].body.view(), "late");
  EXPECT_EQ(late[1].body.view(), "x");
}

TEST(JetStreamStreamTest, AReaderThatCannotRenewItsLeaseStopsHandingOutRecords) {
  StreamFixture f(1);
  for (int i = 0; i < 5; ++i) f.put("k", numbered("r", i));
  auto source = jetstream_stream_source(f.js, {.stream = "s",
                                               .group = "short",
                                               .lease_bucket = "short-leases",
                                               .lease_duration = 2s,
                                               .ack_wait = 3s});
  ASSERT_TRUE(source) << source.error().message;
  auto reader = (*source)->open({.starting_position = StartingPosition::trim_horizon}).value();
  auto records = poll_until(*reader, 0, 5);
  ASSERT_EQ(records.size(), 5u);
  reader->nack(records, 0ns);  // held by the reader, to be polled again
  // The server stops answering: past three quarters of the lease since its last renewal, the
  // lease may be another reader's, so nothing is handed out although records are held.
  f.servers.pause(1);
  std::this_thread::sleep_for(1600ms);
  std::vector<Record> none;
  EXPECT_EQ(reader->poll(0, 10, none), 0u);
  f.servers.resume(1);
  const auto again = poll_until(*reader, 0, 5);
  ASSERT_EQ(again.size(), 5u);
  EXPECT_EQ(again[0].body.view(), numbered("r", 0));
  reader->checkpoint(0, again.back().sequence_number);
}

TEST(JetStreamStreamTest, AReaderClosesSoonWhileTheServerDoesNotAnswer) {
  StreamFixture f(1);
  f.put("k", "r");
  auto source = jetstream_stream_source(f.js, {.stream = "s",
                                               .group = "closing",
                                               .lease_bucket = "closing-leases",
                                               .lease_duration = 1s,
                                               .fetch_wait = 200ms});
  ASSERT_TRUE(source) << source.error().message;
  auto reader = (*source)->open({.starting_position = StartingPosition::trim_horizon}).value();
  ASSERT_EQ(poll_until(*reader, 0, 1).size(), 1u);  // its lease is held
  // A lease request waits a quarter of the lease at most, and after one goes unanswered the
  // other leases are left to run out: closing does not wait out the request timeout (5 s).
  f.servers.pause(1);
  const auto start = std::chrono::steady_clock::now();
  reader.reset();
  const auto took = std::chrono::steady_clock::now() - start;
  f.servers.resume(1);
  EXPECT_LT(took, 2s);
}

TEST(JetStreamStreamTest, AMappingInvokesEachShardsRecordsInOrder) {
  StreamFixture f(2);
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  EventSourceMappingConfig config{.source = f.source, .function_name = "f", .batch_size = 10};
  config.starting_position = StartingPosition::trim_horizon;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid) << uuid.error().message;
  constexpr int per_key = 50;
  for (int i = 0; i < per_key; ++i) {
    for (const char* key : {"a", "b", "c"}) f.put(key, std::to_string(i));
  }
  ASSERT_TRUE(journal.wait_items(3 * per_key));
  ASSERT_TRUE(
      eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 3 * per_key; }));
  std::lock_guard lock(journal.mutex);
  std::map<std::string, int> next;
  for (const auto& batch : journal.batches) {
    for (const auto& item : batch) EXPECT_EQ(std::stoi(item.body), next[item.key]++) << item.key;
  }
  EXPECT_EQ(next.size(), 3u);
}

TEST(JetStreamStreamTest, BadConfigurationsAreInvalidArguments) {
  NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()}).value();
  for (JetStreamStreamConfig c :
       {JetStreamStreamConfig{.stream = ""}, JetStreamStreamConfig{.stream = "s", .shards = 0},
        JetStreamStreamConfig{.stream = "s", .lease_duration = 10ms}}) {
    auto made = jetstream_stream_source(js, c);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code, Errc::invalid_argument);
  }
  auto bad_key = jetstream_put_record(js, "s", 1, "", "x");
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().code, Errc::invalid_argument);
}

}  // namespace
