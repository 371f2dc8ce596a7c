// Queue mappings: batches, filters, item failures, redrive, FIFO order and throttling.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/queue.hpp"

#include "esm_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

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

}  // namespace
