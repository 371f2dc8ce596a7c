// Recursive loops through a queue and its mapping: stopped after 16 invocations unless allowed.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "nanofaas/queue.hpp"

#include "esm_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

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

}  // namespace
