// Stream: sharding by key, per-shard order, starting positions, checkpoints, retention
// and listeners.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "source_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::bodies;
using test::make_stream;
using test::ManualClock;
using test::numbered;
using test::open;
using test::poll;
using test::Strings;

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
