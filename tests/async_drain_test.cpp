// Draining asynchronous backlogs: many functions' backlogs all drain, none starves another,
// events an environment took still run, and a million events are all accounted for.

#include <gtest/gtest.h>

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/future.hpp>
#include <boost/fiber/mutex.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(AsyncTest, BacklogsOfManyFunctionsAllDrain) {
  // One function's backlog must not keep another's waiting: the dispatch window is shared
  // first come, first served.
  constexpr int functions = 300;
  constexpr int per_function = 500;
  std::latch done(functions * per_function);
  auto engine = make_engine();
  for (int f = 0; f < functions; ++f) {
    ASSERT_TRUE(engine.add_function({.name = test::numbered("f", f)}, [&](const Event&) {
      done.count_down();
      return Response{};
    }));
  }
  for (int i = 0; i < per_function; ++i) {
    for (int f = 0; f < functions; ++f) {
      ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), "{}"));
    }
  }
  done.wait();
  engine.shutdown(1s);
  for (const auto& m : engine.metrics().functions) {
    EXPECT_EQ(m.async_events_succeeded, static_cast<std::uint64_t>(per_function));
    EXPECT_EQ(m.async_throttled, 0u);
  }
}

TEST(AsyncTest, TenThousandFunctionsWithShortBacklogsAllDrain) {
  // Environments that drain their own version's queue can leave a version served from the
  // window's waiting list with nothing to run: its place must pass on, or the rest stall.
  // (A thousand functions in a sanitizer build: still far more than the window of 128.)
  constexpr int functions = 10000 / test::sanitizer_divisor;
  constexpr int per_function = 20;
  for (int round = 0; round < 2; ++round) {
    std::atomic<int> done{0};
    auto engine = make_engine();
    for (int f = 0; f < functions; ++f) {
      ASSERT_TRUE(engine.add_function({.name = test::numbered("f", f)}, [&](const Event&) {
        done.fetch_add(1, std::memory_order_relaxed);
        return Response{};
      }));
    }
    for (int i = 0; i < per_function; ++i) {
      for (int f = 0; f < functions; ++f) {
        ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), Payload()));
      }
    }
    ASSERT_TRUE(test::eventually([&] { return done.load() == functions * per_function; }, 40s))
        << done.load() << " of " << functions * per_function << " ran";
  }
}

TEST(AsyncTest, BacklogsOfWarmBriefFunctionsStartAtMostAnEnvironmentPerWorker) {
  // A brief handler's environment takes its version's next event as it finishes: a new
  // environment for each event queued meanwhile only adds cold starts and stacks. With 10,000
  // functions that once made ~32,000 environments, until stacks could not be mapped and
  // events waited a minute for their retry.
  constexpr int functions = 2000 / test::sanitizer_divisor;
  constexpr int per_function = 50;
  std::atomic<int> done{0};
  auto engine = make_engine({.workers = 2});
  for (int f = 0; f < functions; ++f) {
    ASSERT_TRUE(engine.add_function({.name = test::numbered("f", f)}, [&](const Event&) {
      done.fetch_add(1, std::memory_order_relaxed);
      return Response{};
    }));
    ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), Payload()));
  }
  ASSERT_TRUE(test::eventually([&] { return done.load() == functions; }));
  for (int i = 0; i < per_function; ++i) {
    for (int f = 0; f < functions; ++f) {
      ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), Payload()));
    }
  }
  ASSERT_TRUE(test::eventually([&] { return done.load() == functions * (per_function + 1); }))
      << done.load() << " of " << functions * (per_function + 1) << " ran";
  std::uint64_t environments = 0;
  for (const FunctionMetrics& m : engine.metrics().functions) environments += m.cold_starts;
  // One per worker, and now and then one more: a handler preempted past the brief limit, or
  // an environment still finishing when the next event comes (2.4 per function without this).
  EXPECT_LE(environments, 2u * functions + functions / 20);
}

TEST(AsyncTest, ASuspendedBriefHandlersQueuedEventsRunInEnvironmentsOfTheirOwn) {
  // Brief so far, then each handler waits (on its fiber) until four run at once: the queued
  // events must start environments of their own while the first ones wait, on one worker.
  for (int round = 0; round < 10; ++round) {
    boost::fibers::mutex mutex;
    boost::fibers::condition_variable all_in;
    int inside = 0;
    std::atomic<bool> wait{false};
    std::atomic<int> done{0};
    std::atomic<bool> timed_out{false};
    auto engine = make_engine({.workers = 1});
    ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
      if (wait.load()) {
        std::unique_lock lock(mutex);
        ++inside;
        all_in.notify_all();
        if (!all_in.wait_for(lock, 5s, [&] { return inside >= 4; })) timed_out = true;
      }
      done.fetch_add(1);
      return Response{};
    }));
    ASSERT_TRUE(engine.invoke_async("f", Payload()));  // brief: its environment drains alone
    ASSERT_TRUE(test::eventually([&] { return done.load() == 1; }));
    wait = true;
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(engine.invoke_async("f", Payload()));
    ASSERT_TRUE(test::eventually([&] { return done.load() == 5; }, 10s));
    EXPECT_FALSE(timed_out.load()) << "round " << round;
  }
}

TEST(AsyncTest, AHandlerWaitingForAnEventOfItsOwnFunctionIsNotWaitedFor) {
  // A handler that waits (on its fiber) for a later event of its own function: that event must
  // start an environment of its own, even after another brief run, on the only worker.
  for (int round = 0; round < 10; ++round) {
    boost::fibers::mutex mutex;
    boost::fibers::condition_variable signalled;
    bool signal = false;
    std::atomic<bool> waiting{false};
    std::atomic<bool> timed_out{false};
    std::atomic<int> done{0};
    auto engine = make_engine({.workers = 1});
    ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& ev) {
      if (ev.body() == "wait") {
        std::unique_lock lock(mutex);
        waiting = true;
        if (!signalled.wait_for(lock, 5s, [&] { return signal; })) timed_out = true;
      } else if (ev.body() == "signal") {
        std::lock_guard lock(mutex);
        signal = true;
        signalled.notify_all();
      }
      done.fetch_add(1);
      return Response{};
    }));
    ASSERT_TRUE(engine.invoke_async("f", "quick"));  // brief
    ASSERT_TRUE(test::eventually([&] { return done.load() == 1; }));
    ASSERT_TRUE(engine.invoke_async("f", "wait"));
    ASSERT_TRUE(test::eventually([&] { return waiting.load(); }));
    ASSERT_TRUE(engine.invoke_async("f", "quick"));  // brief again, while one waits
    ASSERT_TRUE(test::eventually([&] { return done.load() == 2; }));
    ASSERT_TRUE(engine.invoke_async("f", "signal"));
    ASSERT_TRUE(test::eventually([&] { return done.load() == 4; }, 10s));
    EXPECT_FALSE(timed_out.load()) << "round " << round;
  }
}

TEST(AsyncTest, ABacklogDoesNotStarveAnotherFunctionsEvents) {
  // Function a's backlog fills the async window; b's event must get the next free place,
  // not wait for a's whole queue to drain. The worker is held while both are queued, so the
  // backlog is whole when b's event arrives however fast the queueing was (a sanitizer build
  // queues more slowly than a drains).
  constexpr int backlog = 20000;
  std::atomic<int> a_done{0};
  std::atomic<int> a_done_when_b_ran{-1};
  std::latch b_ran(1);
  auto engine = make_engine({.workers = 1});
  FunctionConfig a{.name = "a"};
  a.async.max_queue_depth = backlog;
  ASSERT_TRUE(engine.add_function(a, [&](const Event&, Context& ctx) {
    ctx.sleep_for(1ms);
    a_done.fetch_add(1);
    return Response();
  }));
  ASSERT_TRUE(engine.add_function({.name = "b", .reserved_concurrency = 10u}, [&](const Event&) {
    a_done_when_b_ran.store(a_done.load());
    b_ran.count_down();
    return Response();
  }));
  test::WorkerHold hold(engine);  // nothing is pumped meanwhile
  for (int i = 0; i < backlog; ++i) ASSERT_TRUE(engine.invoke_async("a", Payload()));
  ASSERT_TRUE(engine.invoke_async("b", Payload()));
  hold.release();
  b_ran.wait();
  // The window (64 places on one worker) is full of a's events when b's is pumped; b's takes
  // the first place one of them frees.
  EXPECT_LT(a_done_when_b_ran.load(), backlog / 2);
  engine.shutdown(0ns);
}

/// Opens a latch once: when asked, or at the end of the scope at the latest, so that a failed
/// assertion never leaves a handler waiting on it (the engine's shutdown would wait forever).
class Gate {
 public:
  ~Gate() { open(); }
  void open() {
    if (!opened_.exchange(true)) latch_.count_down();
  }
  void wait() { latch_.wait(); }

 private:
  std::latch latch_{1};
  std::atomic<bool> opened_{false};
};

TEST(AsyncTest, EventsTakenByADiscardedEnvironmentStillRun) {
  // One worker. The first event holds the worker's thread until the backlog is queued, so
  // its environment then drains the backlog, taking several events at a time after a quick
  // one. The backlog's second event times out: that environment is discarded holding events
  // it took and had not run, and they must still run (or the outcomes never add up).
  constexpr int backlog = 100;
  Outcomes outcomes(backlog + 1);
  Gate queued;
  auto engine = make_engine({.workers = 1});
  FunctionConfig config{.name = "drain", .timeout = 200ms};
  config.async.maximum_retry_attempts = 0;
  config.async.on_success = outcomes.sink();
  config.async.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "hold") queued.wait();
    if (ev.body() == "slow") ctx.sleep_for(250ms);  // past the timeout
    return Response();
  }));
  ASSERT_TRUE(engine.invoke_async("drain", "hold"));
  for (int i = 0; i < backlog; ++i) {
    ASSERT_TRUE(engine.invoke_async("drain", i == 1 ? "slow" : "fast"));
  }
  queued.open();
  ASSERT_TRUE(test::eventually([&] { return outcomes.done.try_wait(); }));
  const auto m = *engine.metrics().find("drain");
  EXPECT_EQ(m.async_events_succeeded + m.async_events_failed,
            static_cast<std::uint64_t>(backlog + 1));
  EXPECT_GE(m.timeouts, 1u);
  EXPECT_EQ(m.async_pending, 0u);
}

TEST(AsyncTest, EventsHeldBehindASuspendedHandlerRunMeanwhile) {
  // One worker. The first event holds the worker's thread until the backlog is queued, so
  // its environment then drains the backlog, taking several events at a time after a quick
  // one. One of the events it takes together waits on its fiber until every other event has
  // run: the events it took along must run meanwhile, in another environment, not after it.
  constexpr int fast_events = 30;
  for (int round = 0; round < 20; ++round) {
    Gate queued;
    std::atomic<int> fast_done{0};
    boost::fibers::promise<void> all_fast_ran;
    std::atomic<bool> waited_in_vain{false};
    auto engine = make_engine({.workers = 1});
    FunctionConfig config{.name = "held", .timeout = 10s};
    config.async.maximum_retry_attempts = 0;
    ASSERT_TRUE(engine.add_function(config, [&](const Event& ev) {
      if (ev.body() == "hold") {
        queued.wait();
      } else if (ev.body() == "wait") {
        if (all_fast_ran.get_future().wait_for(2s) != boost::fibers::future_status::ready) {
          waited_in_vain = true;
        }
      } else if (fast_done.fetch_add(1) + 1 == fast_events) {
        all_fast_ran.set_value();
      }
      return Response();
    }));
    ASSERT_TRUE(engine.invoke_async("held", "hold"));
    for (int i = 0; i <= fast_events; ++i) {
      ASSERT_TRUE(engine.invoke_async("held", i == 3 ? "wait" : "fast"));
    }
    queued.open();
    ASSERT_TRUE(test::eventually(
        [&] { return engine.metrics().find("held")->async_events_succeeded == fast_events + 2; }));
    ASSERT_FALSE(waited_in_vain.load()) << "round " << round;
    engine.shutdown(0ns);
  }
}

TEST(AsyncTest, StressConservesEveryEvent) {
  constexpr int events = 1'000'000 / test::sanitizer_divisor;
  std::atomic<int> successes{0};
  std::atomic<int> failures{0};
  std::latch done(events);
  auto engine = make_engine();
  FunctionConfig config{.name = "chaos", .timeout = 5ms};
  config.async.retry_delays = {0ns};
  config.async.on_success = {.sink = [&](const InvocationRecord&) {
    ++successes;
    done.count_down();
  }};
  config.async.on_failure = {.sink = [&](const InvocationRecord&) {
    ++failures;
    done.count_down();
  }};
  ASSERT_TRUE(engine.add_function(config, [](const Event& ev, Context& ctx) {
    const auto id = ctx.request_id().low;
    if (id % 7 == 0) return Response::error("Random", "fails");
    if (id % 997 == 0) ctx.sleep_for(10ms);  // times out
    (void)ev;
    return Response{};
  }));
  std::vector<std::thread> producers;
  for (int t = 0; t < 2; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < events / 2; ++i) {
        while (!engine.invoke_async("chaos", "{}")) std::this_thread::yield();  // queue full
      }
    });
  }
  for (auto& p : producers) p.join();
  done.wait();
  engine.shutdown(1s);
  const auto m = *engine.metrics().find("chaos");
  EXPECT_EQ(m.async_events_received, static_cast<std::uint64_t>(events));
  EXPECT_EQ(m.async_events_succeeded, static_cast<std::uint64_t>(successes.load()));
  EXPECT_EQ(m.async_events_failed, static_cast<std::uint64_t>(failures.load()));
  EXPECT_EQ(m.async_events_succeeded + m.async_events_failed, static_cast<std::uint64_t>(events));
  EXPECT_EQ(m.async_events_dropped, m.async_events_failed);
  EXPECT_GT(m.async_retries, 0u);
  EXPECT_GT(m.timeouts, 0u);
  EXPECT_EQ(m.async_pending, 0u);
}

}  // namespace
