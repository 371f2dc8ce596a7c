// Stream mappings when a batch fails: retries that block the shard, partial failures,
// bisection, record age, and the on-failure destination.

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "nanofaas/queue.hpp"
#include "nanofaas/stream.hpp"

#include "esm_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// Collects `on_failure` records.
struct Failures {
  std::mutex mutex;
  std::vector<std::string> json;
  std::vector<std::vector<std::string>> bodies;
  std::atomic<std::size_t> records{0};
  Destination sink() {
    return {.sink = [this](const InvocationRecord& r) {
      std::vector<std::string> b;
      for (const Record& rec : r.records) b.emplace_back(rec.body.view());
      std::lock_guard lock(mutex);
      json.push_back(r.json);
      bodies.push_back(std::move(b));
      records.fetch_add(r.records.size());
    }};
  }
};

TEST(StreamMappingTest, RetriesBlockTheShardThenOnFailureGetsTheBatchAndTheShardMovesOn) {
  Journal journal;
  Failures failures;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) -> Response {
    journal.record(e);
    if (e.records().front().body.view() == "poison") throw std::runtime_error("boom");
    return Response();
  }));
  auto stream = make_stream({.name = "s"});
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 2};
  config.starting_position = StartingPosition::trim_horizon;
  config.maximum_retry_attempts = 2;
  config.on_failure = failures.sink();
  ASSERT_TRUE(stream->put_record("k", PayloadView("poison")));
  ASSERT_TRUE(stream->put_record("k", PayloadView("second")));
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(eventually([&] { return failures.records.load() == 2; }));
  ASSERT_TRUE(stream->put_record("k", PayloadView("after")));
  ASSERT_TRUE(journal.wait([&] { return journal.batches.size() == 4; }));
  {
    std::lock_guard lock(journal.mutex);
    for (int i = 0; i < 3; ++i) {  // the first try and two retries, same records
      ASSERT_EQ(journal.batches[i].size(), 2u);
      EXPECT_EQ(journal.batches[i][0].body, "poison");
    }
    EXPECT_EQ(journal.batches[3][0].body, "after");
  }
  std::lock_guard lock(failures.mutex);
  ASSERT_EQ(failures.json.size(), 1u);
  const std::string& j = failures.json[0];
  EXPECT_EQ(json_field(j, {"requestContext", "condition"}), "RetryAttemptsExhausted");
  EXPECT_EQ(json_field(j, {"requestContext", "approximateInvokeCount"}), "3");
  EXPECT_EQ(json_field(j, {"responseContext", "functionError"}), "Unhandled");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "batchSize"}), "2");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "startSequenceNumber"}), "1");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "endSequenceNumber"}), "2");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "streamArn"}), "s");
  EXPECT_EQ(json_field(j, {"version"}), "1.0");
  EXPECT_EQ(failures.bodies[0], (std::vector<std::string>{"poison", "second"}));
  EXPECT_EQ(metrics_of(engine, *uuid).records_failed, 2u);
}

TEST(StreamMappingTest, AQueueAsOnFailureGetsTheRecordOfSkippedRecords) {
  auto skipped = make_queue({.name = "skipped"});
  auto engine = make_engine();
  const std::string uuid = test::map_poison_record(engine, {.queue = skipped});
  ASSERT_TRUE(eventually([&] { return skipped->approximate_visible() == 1; }));
  auto reader = skipped->open({}).value();
  std::vector<Record> records;
  ASSERT_EQ(reader->poll(0, 10, records), 1u);
  const std::string j(records[0].body.view());
  reader->ack(records);
  EXPECT_EQ(json_field(j, {"requestContext", "condition"}), "RetryAttemptsExhausted");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "batchSize"}), "1");
  EXPECT_EQ(json_field(j, {"KinesisBatchInfo", "streamArn"}), "s");
  EXPECT_EQ(metrics_of(engine, uuid).destination_delivery_failures, 0u);
}

TEST(StreamMappingTest, PartialFailureRetriesFromTheLowestFailedSequenceNumber) {
  Journal journal;
  std::atomic<bool> failed_once{false};
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) {
    journal.record(e);
    std::vector<std::string> failed;
    for (const Record& r : e.records()) {
      if ((r.body.view() == "c" || r.body.view() == "e") && !failed_once.exchange(true)) {
        failed.emplace_back(r.id);
      }
    }
    return Response::batch_item_failures(std::move(failed));
  }));
  auto stream = make_stream({.name = "s"});
  for (const char* b : {"a", "b", "c", "d", "e"})
    ASSERT_TRUE(stream->put_record("k", PayloadView(b)));
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 5};
  config.starting_position = StartingPosition::trim_horizon;
  config.report_batch_item_failures = true;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(journal.wait([&] { return journal.batches.size() == 2; }));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 5; }));
  std::lock_guard lock(journal.mutex);
  ASSERT_EQ(journal.batches[1].size(), 3u);
  EXPECT_EQ(journal.batches[1][0].body, "c");
}

TEST(StreamMappingTest, BisectIsolatesThePoisonRecord) {
  Failures failures;
  std::atomic<int> succeeded{0};
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) -> Response {
    for (const Record& r : e.records()) {
      if (r.body.view() == "poison") throw std::runtime_error("boom");
    }
    succeeded.fetch_add(static_cast<int>(e.records().size()));
    return Response();
  }));
  auto stream = make_stream({.name = "s"});
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(
        stream->put_record("k", PayloadView(i == 5 ? std::string("poison") : numbered("r", i))));
  }
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 8};
  config.starting_position = StartingPosition::trim_horizon;
  config.bisect_batch_on_function_error = true;
  config.maximum_retry_attempts = 0;
  config.on_failure = failures.sink();
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(eventually([&] { return failures.records.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return succeeded.load() == 7; }));
  std::lock_guard lock(failures.mutex);
  EXPECT_EQ(failures.bodies[0], (std::vector<std::string>{"poison"}));
  EXPECT_GE(metrics_of(engine, *uuid).batches_bisected, 3u);
}

TEST(StreamMappingTest, RecordsOlderThanMaximumRecordAgeGoToOnFailureUnprocessed) {
  ManualClock clock;
  Failures failures;
  std::atomic<int> calls{0};
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
    calls.fetch_add(1);
    return Response();
  }));
  auto stream = make_stream({.name = "s", .clock = &clock});
  ASSERT_TRUE(stream->put_record("k", PayloadView("stale")));
  clock.advance(2min);
  EventSourceMappingConfig config{.source = stream, .function_name = "f"};
  config.starting_position = StartingPosition::trim_horizon;
  config.maximum_record_age = 60s;
  config.on_failure = failures.sink();
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(eventually([&] { return failures.records.load() == 1; }));
  ASSERT_TRUE(stream->put_record("k", PayloadView("fresh")));
  ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  std::lock_guard lock(failures.mutex);
  EXPECT_EQ(json_field(failures.json[0], {"requestContext", "condition"}), "RecordAgeExceeded");
}

}  // namespace
