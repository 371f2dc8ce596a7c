// Retries of a failed asynchronous event: their delays, a zero retry budget, the maximum event
// age, and what is counted when nothing receives the failure.

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(AsyncTest, RetriesAreSpacedByTheConfiguredDelaysThenFailureHandlingRuns) {
  test::ManualClock clock;
  Outcomes outcomes(2);  // the on-failure record and the dead letter
  std::mutex mutex;
  std::vector<Clock::time_point> attempts;
  std::latch first(1), second(1), third(1);
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "flaky"};
  config.async.retry_delays = {1min, 2min};
  config.async.on_failure = outcomes.sink();
  config.async.dead_letter = outcomes.dead_letter();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex);
      attempts.push_back(clock.now());
      n = attempts.size();
    }
    (n == 1 ? first : n == 2 ? second : third).count_down();
    return Response::error("Flaky", "always fails");
  }));
  const auto t0 = clock.now();
  auto id = engine.invoke_async("flaky", "{}");
  ASSERT_TRUE(id);
  // Each retry is scheduled after the handler returns: wait for it before moving the clock.
  const auto retries = [&] { return engine.metrics().find("flaky")->async_retries; };
  first.wait();
  ASSERT_TRUE(test::eventually([&] { return retries() == 1; }));
  clock.advance(30s);  // too early for the first retry
  clock.advance(30s);
  second.wait();
  ASSERT_TRUE(test::eventually([&] { return retries() == 2; }));
  clock.advance(2min);
  third.wait();
  outcomes.done.wait();
  std::lock_guard lock(mutex);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0], t0);
  EXPECT_GE(attempts[1] - attempts[0], 1min);
  EXPECT_GE(attempts[2] - attempts[1], 2min);
  const std::string& r = outcomes.records.at(0);
  EXPECT_EQ(field(r, "requestContext", "condition"), "\"RetriesExhausted\"");
  EXPECT_EQ(field(r, "requestContext", "approximateInvokeCount"), "3");
  EXPECT_EQ(field(r, "responseContext", "functionError"), "\"Handled\"");
  EXPECT_EQ(field(r, "responsePayload"), R"({"errorMessage":"always fails","errorType":"Flaky"})");
  EXPECT_EQ(outcomes.letters.at(0), id->to_string() + "|200|always fails|{}");
}

TEST(AsyncTest, ZeroRetriesGoesStraightToFailureHandling) {
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "once"};
  config.async.maximum_retry_attempts = 0;
  config.async.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) -> Response {
    ++runs;
    throw std::runtime_error("boom");
  }));
  ASSERT_TRUE(engine.invoke_async("once", "x"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(field(outcomes.records.at(0), "responseContext", "functionError"), "\"Unhandled\"");
  const auto m = *engine.metrics().find("once");
  EXPECT_EQ(m.async_events_dropped, 1u);  // Lambda counts it although a destination got it
  EXPECT_EQ(m.async_events_dropped_by.retries_exhausted, 1u);
  EXPECT_EQ(m.async_events_discarded, 0u);
}

TEST(AsyncTest, AFailedEventWithNoTargetIsCountedAsDiscarded) {
  std::latch ran(1);
  auto engine = make_engine();
  FunctionConfig config{.name = "alone"};
  config.async.maximum_retry_attempts = 0;
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ran.count_down();
    return Response::error("E", "nobody hears this");
  }));
  ASSERT_TRUE(engine.invoke_async("alone", "x"));
  ran.wait();
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("alone")->async_pending == 0; }));
  const auto m = *engine.metrics().find("alone");
  EXPECT_EQ(m.async_events_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.retries_exhausted, 1u);
  EXPECT_EQ(m.async_events_discarded, 1u);
}

TEST(AsyncTest, EventOlderThanMaximumAgeIsNotRunAgain) {
  test::ManualClock clock;
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "old"};
  config.async.maximum_event_age = 90s;
  config.async.on_failure = outcomes.sink();
  std::latch ran(1);
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ++runs;
    ran.count_down();
    return Response::error("E", "fails");
  }));
  ASSERT_TRUE(engine.invoke_async("old", "x"));
  ran.wait();
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("old")->async_retries == 1; }));
  clock.advance(1min);  // the first retry is due...
  clock.advance(1min);  // ...but by now the event is 2 minutes old
  outcomes.done.wait();
  EXPECT_EQ(field(outcomes.records.at(0), "requestContext", "condition"), "\"EventAgeExceeded\"");
  EXPECT_LE(runs.load(), 2);
  const auto m = *engine.metrics().find("old");
  EXPECT_EQ(m.async_events_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.event_age_exceeded, 1u);
}

}  // namespace
