// Engine durations at the end of their range: nanoseconds::max() means "forever" wherever a
// duration is added to a time (the shutdown drain, the throttle backoff, the caller's spin).
// Each once overflowed into the past (found by fuzz/fuzz_config.cpp under UBSan).

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;
using test::echo;
using test::eventually;
using test::make_engine;

// Times the calling thread gave up its core (blocked in the kernel), as getrusage counts them.
long voluntary_switches() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_nvcsw;
}

std::uint64_t counter(const Engine& engine, std::string_view function,
                      std::uint64_t FunctionMetrics::*field) {
  const auto m = engine.metrics().find(function);
  return m ? (*m).*field : 0;
}

TEST(DurationLimitsTest, ShutdownDrainOfNanosecondsMaxRunsEveryQueuedEvent) {
  auto engine = make_engine({.workers = 1});
  test::WorkerHold hold(engine);  // the only worker is busy: the events stay queued
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  std::atomic<int> succeeded{0};
  std::atomic<int> spilled{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engine.invoke_async("f", Payload::copy_of("e"), [&](AsyncOutcome&& outcome) {
      ++(outcome.condition == "Success" ? succeeded : spilled);
    }));
  }
  std::thread stopper([&] { engine.shutdown(nanoseconds::max()); });
  // The worker is let go only once shutdown stopped accepting: with no drain, every event
  // would be spilled.
  ASSERT_TRUE(eventually([&] { return !engine.dry_run("f"); }));
  hold.release();
  stopper.join();
  EXPECT_EQ(succeeded.load(), 3);
  EXPECT_EQ(spilled.load(), 0);
}

TEST(DurationLimitsTest, ThrottleBackoffOfNanosecondsMaxHoldsTheEventBack) {
  test::ManualClock clock;
  auto engine = make_engine({.workers = 1,
                             .async_throttle_backoff = nanoseconds::max(),
                             .async_throttle_backoff_max = nanoseconds::max(),
                             .clock = &clock});
  // "busy" holds its only slot until `done`, sleeping its fiber, so the worker stays free.
  std::atomic<bool> done{false};
  ASSERT_TRUE(engine.add_function({.name = "busy", .timeout = 60s, .reserved_concurrency = 1},
                                  [&](const Event&, Context& context) {
                                    while (!done) (void)context.sleep_for(1ms);
                                    return Response{};
                                  }));
  std::jthread caller([&] { (void)engine.invoke("busy", ""); });
  // Lets "busy" return before `caller` is joined, also when an assertion ends the test.
  struct Release {
    std::atomic<bool>& done;
    ~Release() { done = true; }
  } release{done};
  ASSERT_TRUE(eventually([&] {
    return engine.metrics().find("busy").value_or(FunctionMetrics{}).concurrent_executions == 1;
  }));
  ASSERT_TRUE(engine.invoke_async("busy", PayloadView("throttled")));
  ASSERT_TRUE(
      eventually([&] { return counter(engine, "busy", &FunctionMetrics::async_throttled) >= 1; }));

  // A marker event, retried once 1 s after its first call by the engine's clock: events due
  // by then are released with it.
  std::atomic<int> calls{0};
  ASSERT_TRUE(engine.add_function(
      {.name = "marker", .async = {.maximum_retry_attempts = 1, .retry_delays = {1s}}},
      [&](const Event&) {
        return ++calls == 1 ? Response::error("Once", "fails once") : Response{};
      }));
  ASSERT_TRUE(engine.invoke_async("marker", PayloadView("m")));
  ASSERT_TRUE(
      eventually([&] { return counter(engine, "marker", &FunctionMetrics::async_retries) == 1; }));
  clock.advance(2s);
  ASSERT_TRUE(eventually(
      [&] { return counter(engine, "marker", &FunctionMetrics::async_events_succeeded) == 1; }));

  EXPECT_EQ(counter(engine, "busy", &FunctionMetrics::async_throttled), 1u)
      << "the throttled event was retried before its backoff ended";
}

TEST(DurationLimitsTest, CallerSpinOfNanosecondsMaxSpinsUntilTheResult) {
  auto engine = make_engine({.workers = 1, .caller_spin = nanoseconds::max()});
  ASSERT_TRUE(engine.add_function({.name = "slow"}, [](const Event&, Context& context) {
    (void)context.sleep_for(2ms);
    return Response{};
  }));
  ASSERT_TRUE(engine.invoke("slow", ""));  // the cold start, out of the way
  const long before = voluntary_switches();
  ASSERT_TRUE(engine.invoke("slow", ""));
  EXPECT_EQ(voluntary_switches() - before, 0) << "the caller slept instead of spinning";
}

}  // namespace
