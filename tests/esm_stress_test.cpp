// A million records through event source mappings with random failures: every record is
// accounted for, and stream order holds. (A tenth of a million in a sanitizer build.)

#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "nanofaas/queue.hpp"
#include "nanofaas/stream.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::make_engine;

constexpr auto patience = 120s;

std::uint64_t body_value(const Record& r) {
  std::uint64_t v = 0;
  std::memcpy(&v, r.body.data(), sizeof v);
  return v;
}

/// The number in a `{"n":…}` body.
std::uint64_t json_value(const Record& r) {
  const std::string_view body = r.body.view();
  std::uint64_t v = 0;
  std::from_chars(body.data() + 5, body.data() + body.size(), v);
  return v;
}

Payload value_payload(std::uint64_t v) {
  Payload p = Payload::uninitialized(sizeof v);
  std::memcpy(p.data(), &v, sizeof v);
  return p;
}

TEST(MappingStressTest, StreamOfAMillionRecordsWithRandomFailuresLosesNothingAndKeepsOrder) {
  constexpr std::uint64_t total = 1'000'000 / test::sanitizer_divisor;
  constexpr std::uint32_t shards = 4;
  // Per record: 0 not yet done, 1 succeeded, 2 sent to on_failure.
  std::vector<std::atomic<std::uint8_t>> outcome(total);
  std::atomic<std::uint64_t> twice{0};
  std::atomic<std::uint64_t> accounted{0};
  std::mutex order_mutex;
  std::map<std::uint32_t, std::uint64_t> last_done;  // shard -> last sequence number done
  std::atomic<std::uint64_t> out_of_order{0};

  auto engine = make_engine();
  const auto mark = [&](const Record& r, std::uint8_t how) {
    std::uint8_t expected = 0;
    if (!outcome[body_value(r)].compare_exchange_strong(expected, how)) {
      twice.fetch_add(1);
      return;
    }
    accounted.fetch_add(1);
  };
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) -> Response {
    const auto records = e.records();
    std::mt19937_64 rng(records.front().sequence_number * 7919 + records.size());
    const unsigned roll = rng() % 100;
    if (roll < 3) throw std::runtime_error("random failure");
    std::size_t done = records.size();
    std::vector<std::string> failed;
    if (roll < 10) {
      done = rng() % records.size();
      failed.emplace_back(records[done].id);
    }
    {
      std::lock_guard lock(order_mutex);
      for (std::size_t i = 0; i < done; ++i) {
        std::uint64_t& last = last_done[records[i].lane];
        if (records[i].sequence_number <= last) out_of_order.fetch_add(1);
        last = records[i].sequence_number;
      }
    }
    for (std::size_t i = 0; i < done; ++i) mark(records[i], 1);
    return Response::batch_item_failures(std::move(failed));
  }));
  auto stream = Stream::create({.name = "s", .shards = shards, .max_records_per_shard = total});
  ASSERT_TRUE(stream);
  for (std::uint64_t i = 0; i < total; ++i) {
    ASSERT_TRUE(
        (*stream)->put_record(test::numbered("key", static_cast<int>(i % 64)), value_payload(i)));
  }
  EventSourceMappingConfig config{.source = *stream, .function_name = "f", .batch_size = 100};
  config.starting_position = StartingPosition::trim_horizon;
  config.report_batch_item_failures = true;
  config.bisect_batch_on_function_error = true;
  config.maximum_retry_attempts = 1;
  config.on_failure.sink = [&](const InvocationRecord& r) {
    {
      // Skipped records end the shard's prefix too: later records may follow them.
      std::lock_guard lock(order_mutex);
      for (const Record& rec : r.records) {
        std::uint64_t& last = last_done[rec.lane];
        if (rec.sequence_number <= last) out_of_order.fetch_add(1);
        last = rec.sequence_number;
      }
    }
    for (const Record& rec : r.records) mark(rec, 2);
  };
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(test::eventually([&] { return accounted.load() == total; }, patience))
      << accounted.load();
  // The last batch's counters move after its handler returns: disabling the mapping waits for
  // batches in flight, so the counts below are final.
  config.enabled = false;
  ASSERT_TRUE(engine.update_event_source_mapping(*uuid, config));
  const auto m = engine.event_source_mapping_metrics(*uuid);
  ASSERT_TRUE(m);
  EXPECT_EQ(twice.load(), 0u);
  EXPECT_EQ(out_of_order.load(), 0u);
  EXPECT_EQ(m->records_succeeded + m->records_failed, total);
  EXPECT_GT(m->records_failed, 0u);
  EXPECT_GT(m->batches_bisected, 0u);
  std::uint64_t failed = 0;
  for (auto& o : outcome) failed += o.load() == 2;
  EXPECT_EQ(failed, m->records_failed);
}

TEST(MappingStressTest, QueueOfAMillionMessagesEndsProcessedFilteredOrInTheDeadLetterQueue) {
  constexpr std::uint64_t total = 1'000'000 / test::sanitizer_divisor;
  std::vector<std::atomic<std::uint8_t>> succeeded(total);  // by the body's "n"
  std::atomic<std::uint64_t> distinct{0};
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .timeout = 20ms}, [&](const Event& e) -> Response {
    const auto records = e.records();
    std::mt19937_64 rng(records.front().sequence_number * 31 + records.front().receive_count);
    const unsigned roll = rng() % 100;
    if (roll < 2) throw std::runtime_error("random failure");
    std::vector<std::string> failed;
    for (const Record& r : records) {
      if (rng() % 100 < 2) {
        failed.emplace_back(r.id);
      } else if (succeeded[json_value(r)].exchange(1) == 0) {
        distinct.fetch_add(1);
      }
    }
    return Response::batch_item_failures(std::move(failed));
  }));
  auto dlq = Queue::create({.name = "dlq", .max_messages = total});
  ASSERT_TRUE(dlq);
  auto queue = Queue::create({.name = "q",
                              .visibility_timeout = 20ms,  // at least the timeout
                              .max_receive_count = 2,
                              .dead_letter_queue = *dlq,
                              .max_messages = total});
  ASSERT_TRUE(queue);
  auto filter = FilterCriteria::compile({R"({"drop":[{"exists":false}]})"});
  ASSERT_TRUE(filter);
  EventSourceMappingConfig config{.source = *queue, .function_name = "f", .batch_size = 100};
  config.maximum_batching_window = 1s;  // Lambda's minimum for batches over 10
  config.report_batch_item_failures = true;
  config.maximum_concurrency = 4;
  config.filter_criteria = *filter;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  // A producer thread sends while the mapping consumes.
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < total; ++i) {
      std::string body = R"({"n":)" + std::to_string(i);
      body += i % 10 == 0 ? R"(,"drop":1})" : "}";
      while (!(*queue)->send(PayloadView(body))) std::this_thread::yield();
    }
  });
  producer.join();
  ASSERT_TRUE(test::eventually(
      [&] {
        return (*queue)->approximate_visible() + (*queue)->approximate_in_flight() +
                   (*queue)->approximate_delayed() ==
               0;
      },
      patience));
  // Disabling the mapping waits for batches in flight (one may still hold messages whose
  // visibility ran out in its batching window), so every outcome and count is final below.
  config.enabled = false;
  ASSERT_TRUE(engine.update_event_source_mapping(*uuid, config));
  const auto m = engine.event_source_mapping_metrics(*uuid);
  ASSERT_TRUE(m);
  ASSERT_TRUE(engine.delete_event_source_mapping(*uuid));
  // Everything left the queue: filtered, processed at least once, or redriven after two
  // failed receives.
  const std::uint64_t filtered = total / 10;
  EXPECT_GE(m->records_filtered, filtered);
  std::vector<Record> drained;
  auto reader = (*dlq)->open({});
  ASSERT_TRUE(reader);
  while ((*reader)->poll(0, 1000, drained) > 0) {
  }
  // Redriven after all (its delete came after its visibility ran out): a filtered message, or
  // one that succeeded in another delivery.
  std::uint64_t dead_and_succeeded = 0;
  for (const Record& r : drained) {
    const std::uint64_t n = json_value(r);
    dead_and_succeeded += n % 10 == 0 || succeeded[n].load() != 0;
  }
  std::uint64_t neither = 0;
  for (std::uint64_t i = 0; i < total; ++i) neither += i % 10 != 0 && succeeded[i] == 0;
  EXPECT_EQ(neither, drained.size() - dead_and_succeeded);
  const std::uint64_t dead = drained.size();
  EXPECT_EQ(distinct.load() + (dead - dead_and_succeeded) + filtered, total);
  EXPECT_GT(dead, 0u);
  // A batch past its 20 ms timeout (a stall on a loaded machine) counts as failed although its
  // handler ran on and marked its records.
  const auto f = engine.metrics().find("f");
  ASSERT_TRUE(f);
  EXPECT_GE(m->records_succeeded + 100 * f->timeouts, distinct.load());
}

}  // namespace
