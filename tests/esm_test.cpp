// Event source mappings: batching, filtering and failure handling per source kind.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "nanofaas/queue.hpp"
#include "nanofaas/stream.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::eventually;
using test::make_engine;
using test::make_queue;
using test::make_stream;
using test::ManualClock;
using test::numbered;

constexpr auto patience = 20s;

/// What a batch handler saw, call by call; tests wait on it instead of sleeping.
struct Journal {
  struct Item {
    std::string id;
    std::string body;
    std::string key;
    std::uint64_t sequence = 0;
    std::uint32_t receive_count = 0;
    std::uint32_t shard = 0;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::vector<Item>> batches;
  std::size_t items = 0;

  void record(const Event& event) {
    std::vector<Item> batch;
    for (const Record& r : event.records()) {
      batch.push_back({std::string(r.id), std::string(r.body.view()), std::string(r.partition_key),
                       r.sequence_number, r.receive_count, r.lane});
    }
    std::lock_guard lock(mutex);
    items += batch.size();
    batches.push_back(std::move(batch));
    changed.notify_all();
  }
  /// Waits until `pred()` holds (under the lock); false after `patience`.
  template <class P>
  bool wait(P pred) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, patience, pred);
  }
  bool wait_items(std::size_t n) {
    return wait([&] { return items >= n; });
  }
  /// A batch handler that records its batches and succeeds.
  auto handler() {
    return [this](const Event& e) {
      record(e);
      return Response();
    };
  }
  /// A batch handler that records its batches and reports `body` as failed the first time
  /// it is received.
  auto failing_first_receive_of(std::string body) {
    return [this, body](const Event& e) {
      record(e);
      std::vector<std::string> failed;
      for (const Record& r : e.records()) {
        if (r.body.view() == body && r.receive_count == 1) failed.emplace_back(r.id);
      }
      return Response::batch_item_failures(std::move(failed));
    };
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (auto& b : batches) {
      for (auto& i : b) out.push_back(i.body);
    }
    return out;
  }
};

EventSourceMappingMetrics metrics_of(Engine& engine, const std::string& uuid) {
  auto m = engine.event_source_mapping_metrics(uuid);
  if (!m) throw std::runtime_error(m.error().message);
  return *m;
}

std::string json_field(const std::string& json, std::initializer_list<const char*> path) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element e = parser.parse(padded);
  for (const char* key : path) e = e[key];
  if (e.is_string()) return std::string(std::string_view(e));
  return simdjson::minify(e);
}

// ---- configuration ----

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

// ---- queues ----

TEST(QueueMappingTest, DeliversEveryMessageInBatchesAndDeletesThem) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto queue = make_queue({.name = "q"});
  auto uuid =
      engine.create_event_source_mapping({.source = queue, .function_name = "f", .batch_size = 7});
  ASSERT_TRUE(uuid);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue->send(PayloadView(numbered("m", i))));
  ASSERT_TRUE(journal.wait_items(100));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 100; }));
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
  std::lock_guard lock(journal.mutex);
  for (auto& b : journal.batches) EXPECT_LE(b.size(), 7u);
  std::set<std::string> seen;
  for (auto& b : journal.batches) {
    for (auto& i : b) EXPECT_TRUE(seen.insert(i.body).second) << i.body;
  }
  EXPECT_EQ(seen.size(), 100u);
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

TEST(QueueMappingTest, FilteredMessagesAreDeletedAndCountedNeverInvoked) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto queue = make_queue({.name = "q"});
  auto filter = FilterCriteria::compile({R"({"kind":["order"]})"});
  ASSERT_TRUE(filter);
  EventSourceMappingConfig config{.source = queue, .function_name = "f"};
  config.filter_criteria = *filter;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(queue->send(PayloadView(R"({"kind":"order","n":1})")));
  ASSERT_TRUE(queue->send(PayloadView(R"({"kind":"refund","n":2})")));
  ASSERT_TRUE(queue->send(PayloadView(R"({"kind":"ord)")));  // malformed: matches nothing
  ASSERT_TRUE(queue->send(PayloadView(R"({"kind":"order","n":3})")));
  ASSERT_TRUE(eventually([&] {
    auto m = metrics_of(engine, *uuid);
    return m.records_filtered == 2 && m.records_succeeded == 2;
  }));
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
  auto bodies = journal.bodies();
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies,
            (std::vector<std::string>{R"({"kind":"order","n":1})", R"({"kind":"order","n":3})"}));
}

TEST(QueueMappingTest, ReportedItemFailuresComeBackAfterTheVisibilityTimeout) {
  ManualClock clock;
  Journal journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.failing_first_receive_of("bad")));
  auto queue = make_queue({.name = "q", .visibility_timeout = 30s, .clock = &clock});
  for (const char* body : {"a", "bad", "c"}) ASSERT_TRUE(queue->send(PayloadView(body)));
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 10};
  config.report_batch_item_failures = true;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(journal.wait_items(3));
  ASSERT_TRUE(eventually([&] { return queue->approximate_in_flight() == 1; }));
  EXPECT_EQ(queue->approximate_visible(), 0u);
  clock.advance(31s);  // the failed message becomes visible again
  ASSERT_TRUE(journal.wait_items(4));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 3; }));
  std::lock_guard lock(journal.mutex);
  const auto& retry = journal.batches.back();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].body, "bad");
  EXPECT_EQ(retry[0].receive_count, 2u);
}

TEST(QueueMappingTest, AMessageReceivedAgainInsideTheBatchingWindowIsInTheBatchOnce) {
  for (int round = 0; round < 20; ++round) {
    ManualClock clock;
    Journal journal;
    auto engine = make_engine({.clock = &clock});
    ASSERT_TRUE(engine.add_function({.name = "f", .timeout = 5s}, journal.handler()));
    auto queue = make_queue({.name = "q", .visibility_timeout = 5s, .clock = &clock});
    ASSERT_TRUE(queue->send(PayloadView("m")));
    EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 20};
    config.maximum_batching_window = 10s;
    auto uuid = engine.create_event_source_mapping(config);
    ASSERT_TRUE(uuid);
    ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_polled == 1; }));
    clock.advance(6s);  // visible again while its batch still gathers
    ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_polled == 2; }));
    clock.advance(4s);  // the first window ends; the second receive is still invisible
    ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded >= 1; }));
    config.enabled = false;  // waits for the batches in flight
    ASSERT_TRUE(engine.update_event_source_mapping(*uuid, config));
    // The poller that received it again holds only the newer receive; another poller may
    // have taken it instead, leaving the first its older receive.
    std::lock_guard lock(journal.mutex);
    bool received_again = false;
    for (const auto& batch : journal.batches) {
      ASSERT_EQ(batch.size(), 1u) << "round " << round;
      received_again |= batch[0].receive_count == 2;
    }
    EXPECT_TRUE(received_again);
  }
}

TEST(QueueMappingTest, ABatchStaysWithinLambdasPayloadLimit) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.handler()));
  auto queue = make_queue({.name = "q"});
  const std::string big((5u << 20) / 2, 'x');  // 2.5 MiB: two fit in 6 MiB, three do not
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue->send(PayloadView(big)));
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 10};
  config.maximum_concurrency = 2;
  ASSERT_TRUE(engine.create_event_source_mapping(config));
  ASSERT_TRUE(journal.wait_items(5));
  std::lock_guard lock(journal.mutex);
  for (const auto& batch : journal.batches) EXPECT_LE(batch.size(), 2u);
}

TEST(QueueMappingTest, JsonBatchItemFailuresWorkAndAnUnknownIdentifierFailsTheBatch) {
  ManualClock clock;
  Journal journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e) {
    journal.record(e);
    const Record& first = e.records().front();
    if (first.body.view() == "unknown") {
      return Response::ok(R"({"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]})");
    }
    if (first.receive_count > 1) return Response::ok("{}");
    return Response::ok(R"({"batchItemFailures":[{"itemIdentifier":")" + std::string(first.id) +
                        R"("}]})");
  }));
  auto queue = make_queue({.name = "q", .visibility_timeout = 30s, .clock = &clock});
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 1};
  config.report_batch_item_failures = true;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(queue->send(PayloadView("x")));
  ASSERT_TRUE(journal.wait_items(1));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).batches_failed == 1; }));
  clock.advance(31s);
  ASSERT_TRUE(journal.wait_items(2));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 1; }));
  ASSERT_TRUE(queue->send(PayloadView("unknown")));
  ASSERT_TRUE(journal.wait_items(3));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).batches_failed == 2; }));
  EXPECT_EQ(queue->approximate_in_flight(), 1u);  // the whole batch failed: not deleted
}

TEST(QueueMappingTest, AMalformedItemFailuresResponseFailsTheWholeBatch) {
  // Lambda's rule: a response it cannot read as item failures fails every record of the batch,
  // which comes back after the visibility timeout; none is deleted as if it had succeeded.
  for (std::string_view response :
       {"not json", R"({"batchItemFailures":"x"})", R"([{"itemIdentifier":"x"}])"}) {
    ManualClock clock;
    Journal journal;
    auto engine = make_engine({.clock = &clock});
    const std::string body(response);
    ASSERT_TRUE(engine.add_function({.name = "f"}, [&journal, body](const Event& e) {
      journal.record(e);
      return e.records().front().receive_count > 1 ? Response::ok("{}") : Response::ok(body);
    }));
    auto queue = make_queue({.name = "q", .visibility_timeout = 30s, .clock = &clock});
    EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 2};
    config.report_batch_item_failures = true;
    ASSERT_TRUE(queue->send(PayloadView("a")));
    ASSERT_TRUE(queue->send(PayloadView("b")));
    auto uuid = engine.create_event_source_mapping(config);
    ASSERT_TRUE(uuid);
    ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).batches_failed == 1; }))
        << response;
    EXPECT_EQ(queue->approximate_in_flight(), 2u) << response;  // neither deleted
    EXPECT_EQ(metrics_of(engine, *uuid).records_succeeded, 0u) << response;
    clock.advance(31s);  // both come back, and succeed on their second receive
    ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 2; }))
        << response;
    EXPECT_TRUE(eventually([&] { return queue->approximate_in_flight() == 0; })) << response;
  }
}

/// A function its queue's mapping invokes, in a loop: each "loop" message it gets sends the
/// next one (to `group`, for a FIFO queue) while fewer than `stop_after` ran, and at depth 16
/// it also sends `bystanders` messages "bystander" to that group from a plain thread (depth
/// 0). Counts the runs of each, and the deepest call.
struct QueueLoop {
  struct Options {
    int stop_after = 1000;
    std::string group{};
    int bystanders = 0;
  };
  std::atomic<int> runs{0};
  std::atomic<std::uint32_t> deepest{0};
  std::atomic<int> bystanders_run{0};
  std::function<Response(const Event&, Context&)> handler(std::shared_ptr<Queue> queue, Options o) {
    return [this, queue, o](const Event& e, Context& ctx) {
      for (const Record& r : e.records()) {
        if (r.body.view() == "bystander") {
          bystanders_run.fetch_add(1);
          continue;
        }
        std::uint32_t seen = deepest.load();  // before the run counts: tests wait on runs
        while (seen < ctx.depth() && !deepest.compare_exchange_weak(seen, ctx.depth())) {
        }
        if (runs.fetch_add(1) + 1 < o.stop_after) {
          EXPECT_TRUE(queue->send(PayloadView("loop"), {.message_group_id = o.group}));
        }
        if (ctx.depth() == 16 && o.bystanders > 0) {
          std::thread([&] {
            for (int i = 0; i < o.bystanders; ++i) {
              EXPECT_TRUE(queue->send(PayloadView("bystander"), {.message_group_id = o.group}));
            }
          }).join();
        }
      }
      return Response();
    };
  }
};

TEST(QueueMappingTest, ALoopThroughAQueueIsStoppedAfterSixteenInvocations) {
  // The function sends to the queue that triggers it. As Lambda does through SQS, the 17th
  // invocation is refused: the message stays in the queue until its visibility timeout ends,
  // and its redrive policy then moves it to the dead-letter queue.
  ManualClock clock;  // the queues' only: messages in flight never time out on their own
  auto dlq = make_queue({.name = "loop-dlq", .clock = &clock});
  auto queue = make_queue({.name = "loop",
                           .visibility_timeout = 30s,
                           .max_receive_count = 1,
                           .dead_letter_queue = dlq,
                           .clock = &clock});
  QueueLoop loop;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, loop.handler(queue, {})));
  auto uuid =
      engine.create_event_source_mapping({.source = queue, .function_name = "f", .batch_size = 1});
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(queue->send(PayloadView("start")));  // from outside any handler: depth 0
  ASSERT_TRUE(
      eventually([&] { return engine.metrics().find("f")->recursive_invocations_dropped == 1; }));
  EXPECT_EQ(loop.runs.load(), 16);
  EXPECT_EQ(loop.deepest.load(), 16u);
  // The 16th message is deleted once its handler has returned, which another poller may
  // not have waited for before it received the 17th and refused it.
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 16; }));
  EXPECT_EQ(queue->approximate_in_flight(), 1u);  // refused, not deleted
  clock.advance(31s);  // received again, it would exceed maxReceiveCount: redriven instead
  ASSERT_TRUE(eventually([&] { return dlq->approximate_visible() == 1; }));
  EXPECT_EQ(loop.runs.load(), 16);
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
}

TEST(QueueMappingTest, OnlyTheLoopsMessagesOfABatchAreHeldBack) {
  // At depth 16 the handler sends the loop's next message and three unrelated ones; the
  // batching window gathers them into one batch. The loop's message is refused; the three
  // others still run, in a batch without it.
  auto queue = make_queue({.name = "mixed"});
  QueueLoop loop;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, loop.handler(queue, {.bystanders = 3})));
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 10};
  config.maximum_batching_window = 50ms;
  ASSERT_TRUE(engine.create_event_source_mapping(config));
  ASSERT_TRUE(queue->send(PayloadView("loop")));
  ASSERT_TRUE(eventually([&] { return loop.bystanders_run.load() == 3; }));
  EXPECT_EQ(loop.runs.load(), 16);
  // The loop's message, refused, stays in flight; the others' batch is deleted.
  EXPECT_TRUE(eventually([&] { return queue->approximate_in_flight() == 1; }));
}

TEST(QueueMappingTest, InAFifoQueueTheLoopsWholeGroupIsHeldBack) {
  // As above, in a FIFO queue: the message sent after the loop's in the same group must not
  // overtake it, so it is held back with it, each time the two are received together.
  ManualClock clock;  // the queue's only
  auto queue =
      make_queue({.name = "mixed.fifo", .fifo = true, .visibility_timeout = 30s, .clock = &clock});
  QueueLoop loop;
  auto engine = make_engine();
  ASSERT_TRUE(
      engine.add_function({.name = "f"}, loop.handler(queue, {.group = "g", .bystanders = 1})));
  ASSERT_TRUE(engine.create_event_source_mapping({.source = queue, .function_name = "f"}));
  ASSERT_TRUE(queue->send(PayloadView("loop"), {.message_group_id = "g"}));
  const auto dropped = [&] { return engine.metrics().find("f")->recursive_invocations_dropped; };
  ASSERT_TRUE(eventually([&] { return dropped() == 1; }));
  // Visible again, the two are received together and refused again: the group can only go
  // on by the loop's message leaving it (a redrive policy, or a consumer deleting it).
  clock.advance(31s);
  ASSERT_TRUE(eventually([&] { return dropped() == 2; }));
  EXPECT_EQ(loop.bystanders_run.load(), 0);
  EXPECT_EQ(loop.runs.load(), 16);
}

TEST(QueueMappingTest, ALoopThroughAQueueGoesOnWhenAllowed) {
  auto queue = make_queue({.name = "loop"});
  QueueLoop loop;
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.recursive_loop = RecursiveLoop::allow;
  ASSERT_TRUE(engine.add_function(config, loop.handler(queue, {.stop_after = 20})));
  ASSERT_TRUE(
      engine.create_event_source_mapping({.source = queue, .function_name = "f", .batch_size = 1}));
  ASSERT_TRUE(queue->send(PayloadView("start")));
  ASSERT_TRUE(eventually([&] { return loop.runs.load() == 20; }));
  EXPECT_EQ(loop.deepest.load(), 20u);
  EXPECT_EQ(engine.metrics().find("f")->recursive_invocations_dropped, 0u);
}

TEST(QueueMappingTest, FailingMessagesMoveToTheDeadLetterQueueAfterMaxReceiveCount) {
  ManualClock clock;
  std::atomic<int> calls{0};
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) -> Response {
    calls.fetch_add(1);
    throw std::runtime_error("poison");
  }));
  auto dlq = make_queue({.name = "dlq", .clock = &clock});
  auto queue = make_queue({.name = "q",
                           .visibility_timeout = 30s,
                           .max_receive_count = 2,
                           .dead_letter_queue = dlq,
                           .clock = &clock});
  auto uuid = engine.create_event_source_mapping({.source = queue, .function_name = "f"});
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(queue->send(PayloadView("poison")));
  ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return queue->approximate_in_flight() == 1; }));
  clock.advance(31s);
  ASSERT_TRUE(eventually([&] { return calls.load() == 2; }));
  ASSERT_TRUE(eventually([&] { return queue->approximate_in_flight() == 1; }));
  clock.advance(31s);  // a third receive would exceed maxReceiveCount: redriven instead
  ASSERT_TRUE(eventually([&] { return dlq->approximate_visible() == 1; }));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
  EXPECT_EQ(metrics_of(engine, *uuid).batches_failed, 2u);
}

TEST(QueueMappingTest, FifoKeepsOrderPerGroupUnderConcurrentBatches) {
  for (int round = 0; round < 5; ++round) {
    Journal journal;
    auto engine = make_engine();
    ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& e, Context& ctx) {
      journal.record(e);
      ctx.sleep_for(std::chrono::microseconds(e.records().size() % 3 * 50));
      return Response();
    }));
    auto queue = make_queue({.name = "q.fifo", .fifo = true});
    EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 5};
    config.maximum_concurrency = 8;
    auto uuid = engine.create_event_source_mapping(config);
    ASSERT_TRUE(uuid);
    constexpr int groups = 6;
    constexpr int per_group = 300;
    for (int i = 0; i < per_group; ++i) {
      for (int g = 0; g < groups; ++g) {
        ASSERT_TRUE(
            queue->send(PayloadView(std::to_string(i)), {.message_group_id = numbered("g", g)}));
      }
    }
    ASSERT_TRUE(journal.wait_items(groups * per_group));
    std::lock_guard lock(journal.mutex);
    std::map<std::string, int> next;
    for (auto& b : journal.batches) {
      for (auto& item : b) {
        EXPECT_EQ(std::stoi(item.body), next[item.key]++) << "group " << item.key;
      }
    }
    EXPECT_EQ(journal.items, static_cast<std::size_t>(groups * per_group));
  }
}

TEST(QueueMappingTest, FifoFailureStopsItsGroupButNotOthers) {
  ManualClock clock;
  Journal journal;
  auto engine = make_engine({.clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, journal.failing_first_receive_of("g1-a")));
  auto queue = make_queue({.name = "q.fifo", .fifo = true, .clock = &clock});
  // Sent before the mapping starts, so that one poll takes all three into one batch.
  ASSERT_TRUE(queue->send(PayloadView("g1-a"), {.message_group_id = "g1"}));
  ASSERT_TRUE(queue->send(PayloadView("g1-b"), {.message_group_id = "g1"}));
  ASSERT_TRUE(queue->send(PayloadView("g2-a"), {.message_group_id = "g2"}));
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 10};
  config.report_batch_item_failures = true;
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  ASSERT_TRUE(journal.wait_items(3));
  // g1-a failed, so g1-b is not done either; g2-a is.
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 1; }));
  EXPECT_EQ(queue->approximate_in_flight(), 2u);
  clock.advance(31s);
  ASSERT_TRUE(journal.wait_items(5));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 3; }));
  std::lock_guard lock(journal.mutex);
  const auto& retry = journal.batches.back();
  ASSERT_EQ(retry.size(), 2u);
  EXPECT_EQ(retry[0].body, "g1-a");
  EXPECT_EQ(retry[1].body, "g1-b");
}

TEST(QueueMappingTest, ThrottledBatchesAreRetriedNeverDropped) {
  Journal journal;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .reserved_concurrency = 0u}, journal.handler()));
  auto queue = make_queue({.name = "q"});
  auto uuid = engine.create_event_source_mapping({.source = queue, .function_name = "f"});
  ASSERT_TRUE(uuid);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(queue->send(PayloadView(numbered("m", i))));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).batches_throttled >= 2; }));
  ASSERT_TRUE(engine.put_function_concurrency("f", 2));
  ASSERT_TRUE(journal.wait_items(20));
  ASSERT_TRUE(eventually([&] { return metrics_of(engine, *uuid).records_succeeded == 20; }));
  EXPECT_EQ(queue->approximate_visible() + queue->approximate_in_flight(), 0u);
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

// ---- streams ----

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
  EXPECT_GE(m.iterator_age.p50(), 5s);
}

}  // namespace
