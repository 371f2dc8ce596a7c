// The bounds on asynchronous events: the queue depth, retries waiting in it, and reserved
// concurrency that throttles events or holds while a backlog drains.

#include <gtest/gtest.h>

#include <atomic>
#include <latch>

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(AsyncTest, FullQueueRefusesNewEvents) {
  auto engine = make_engine({.workers = 1});
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 3;
  ASSERT_TRUE(engine.add_function(config, echo));
  test::WorkerHold hold(engine);  // nothing is pumped meanwhile
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f", "x"));
  EXPECT_EQ(engine.invoke_async("f", "x").error().code, Errc::resource_exhausted);
  hold.release();
  engine.shutdown(5s);
  EXPECT_EQ(engine.metrics().find("f")->async_events_succeeded, 3u);
}

TEST(AsyncTest, EventsWaitingForARetryCountAgainstTheQueueBound) {
  test::ManualClock clock;
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 3;
  config.async.maximum_retry_attempts = 1;
  config.async.retry_delays = {1min};
  ASSERT_TRUE(engine.add_function(
      config, [](const Event&) { return Response::error("Failed", "always"); }));
  const auto metrics = [&] { return *engine.metrics().find("f"); };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f", "x"));
  // All three failed and wait a minute for their retry: the queue is empty, yet full.
  ASSERT_TRUE(test::eventually([&] { return metrics().async_retries == 3; }));
  auto refused = engine.invoke_async("f", "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::resource_exhausted);
  clock.advance(1min);  // retried, and failed for good
  ASSERT_TRUE(test::eventually([&] { return metrics().async_events_failed == 3; }));
  EXPECT_TRUE(engine.invoke_async("f", "x"));
}

TEST(AsyncTest, ReservedZeroSendsEventsToFailureHandling) {
  Outcomes outcomes(3);
  auto engine = make_engine();
  FunctionConfig config{.name = "off", .reserved_concurrency = 0};
  config.async.dead_letter = outcomes.dead_letter();
  std::atomic<int> runs{0};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ++runs;
    return Response{};
  }));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("off", "x"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 0);
  EXPECT_NE(outcomes.letters.at(0).find("|429|"), std::string::npos);
  const auto m = *engine.metrics().find("off");
  EXPECT_EQ(m.async_events_dropped, 3u);
  EXPECT_EQ(m.async_events_dropped_by.throttled, 3u);
}

TEST(AsyncTest, ThrottledEventStaysQueuedAndRunsAfterBackoff) {
  test::ManualClock clock;
  Outcomes outcomes(2);
  std::latch started(1);
  std::latch release(1);
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "one", .reserved_concurrency = 1};
  config.async.on_success = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "hold") {
      started.count_down();
      while (!release.try_wait()) ctx.sleep_for(100us);
    }
    return Response::ok(ev.body());
  }));
  ASSERT_TRUE(engine.invoke_async("one", "hold"));
  started.wait();
  ASSERT_TRUE(engine.invoke_async("one", "next"));  // throttled by the reservation of 1
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("one")->async_throttled > 0; }));
  release.count_down();
  // The held call ends first: a retry that came due before it ended would find the
  // reservation still taken and back off beyond the one step of the test's clock.
  ASSERT_TRUE(
      test::eventually([&] { return engine.metrics().find("one")->async_events_succeeded == 1u; }));
  // The throttled event waits for its backoff (1 s) on the engine's clock.
  clock.advance(2s);
  outcomes.done.wait();
  EXPECT_EQ(engine.metrics().find("one")->async_events_succeeded, 2u);
  EXPECT_GE(engine.metrics().find("one")->throttles, 1u);
}

TEST(AsyncTest, ALoweredReservationHoldsWhileABacklogDrains) {
  // Two environments drain one function's backlog (one worker; handlers sleep on their
  // fibers). The first two events wait until the function's reservation has dropped from 2
  // to 1; from then on, once those two have ended, no two of its events may run at once,
  // although each environment would happily go on with the next queued event in its place.
  for (int round = 0; round < 20; ++round) {
    test::ManualClock clock;  // throttled events wait for it
    std::atomic<int> running{0};
    std::atomic<int> started_after{0};
    std::atomic<bool> lowered{false};
    std::atomic<bool> settled{false};
    std::atomic<int> overlaps{0};
    auto engine = make_engine({.workers = 1, .clock = &clock});
    FunctionConfig config{.name = "capped", .reserved_concurrency = 2u};
    config.async.max_queue_depth = 10000;
    ASSERT_TRUE(engine.add_function(config, [&](const Event&, Context& ctx) {
      if (running.fetch_add(1) + 1 > 1 && settled.load()) overlaps.fetch_add(1);
      if (lowered.load()) {
        started_after.fetch_add(1);
      } else {
        while (!lowered.load()) ctx.sleep_for(50us);
      }
      ctx.sleep_for(100us);
      running.fetch_sub(1);
      return Response();
    }));
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(engine.invoke_async("capped", "{}"));
    ASSERT_TRUE(test::eventually([&] { return running.load() == 2; }));
    ASSERT_TRUE(engine.put_function_concurrency("capped", 1));
    lowered = true;
    // The two waiting events end before either environment starts another, so the second
    // start after the change already runs alone; settle after two to be sure.
    ASSERT_TRUE(test::eventually([&] { return started_after.load() >= 2; }));
    settled = true;
    ASSERT_TRUE(test::eventually([&] { return started_after.load() >= 10; }));
    EXPECT_EQ(overlaps.load(), 0) << "round " << round;
    engine.shutdown(0ns);
  }
}

}  // namespace
