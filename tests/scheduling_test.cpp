// How a worker orders its fibers: a caller's invocation does not wait behind another
// function's backlog of Event invocations, and an environment handed its next invocation
// while it suspends is resumed safely.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace nanofaas {
namespace {

std::uint32_t concurrent_of(Engine& engine, std::string_view name) {
  const auto m = engine.metrics();
  const FunctionMetrics* f = m.find(name);
  return f != nullptr ? f->concurrent_executions : 0;
}

/// One round on a 1-worker engine: a backlog of 2,000 events of "noisy" holds the worker at
/// its event number `hold_at`; a sync call of "caller" (idle, warm) is posted meanwhile; then
/// the worker is released. Returns how many of the backlog's events ran after the hold and
/// before the caller's invocation. With `several_ready`, the backlog is spread over four noisy
/// functions, and the round checks that more than one noisy environment existed at the hold
/// (they take turns draining, so others wait ready).
int events_before_caller(int hold_at, bool several_ready) {
  constexpr int backlog = 2000;
  const int functions = several_ready ? 4 : 1;
  auto engine = test::make_engine({.workers = 1});
  std::latch held(1);
  std::latch release(1);
  std::atomic<int> noisy_done{0};
  for (int f = 0; f < functions; ++f) {
    EXPECT_TRUE(engine.add_function({.name = "noisy" + std::to_string(f)}, [&](const Event&) {
      if (noisy_done.load() == hold_at) {
        held.count_down();
        release.wait();  // holds the only worker until the caller's invocation is posted
      }
      noisy_done.fetch_add(1);
      return Response{};
    }));
  }
  int noisy_seen_by_caller = -1;
  EXPECT_TRUE(engine.add_function({.name = "caller", .reserved_concurrency = 1}, [&](const Event&) {
    noisy_seen_by_caller = noisy_done.load();
    return Response{};
  }));
  EXPECT_TRUE(engine.invoke("caller", "warm"));  // an idle environment on the worker
  for (int i = 0; i < backlog; ++i) {
    EXPECT_TRUE(engine.invoke_async("noisy" + std::to_string(i % functions), "{}"));
  }
  held.wait();
  if (several_ready) {
    const auto metrics = engine.metrics();
    std::uint32_t environments = 0;
    for (int f = 0; f < functions; ++f) {
      environments += metrics.find("noisy" + std::to_string(f))->environments;
    }
    EXPECT_GE(environments, 2u);
  }
  std::thread caller([&] { EXPECT_TRUE(engine.invoke("caller", "now")); });
  EXPECT_TRUE(test::eventually([&] { return concurrent_of(engine, "caller") == 1; }));
  release.count_down();
  caller.join();
  engine.shutdown(std::chrono::seconds(10));
  EXPECT_EQ(noisy_done.load(), backlog);
  return noisy_seen_by_caller - hold_at;
}

/// The median of 20 rounds of `events_before_caller`. The caller is seen posting through a
/// counter raised just before its post, so a round where it is preempted in between sees
/// more: the median is what the tests check.
int median_events_before_caller(int hold_at, bool several_ready) {
  std::vector<int> seen;
  for (int round = 0; round < 20; ++round) {
    seen.push_back(events_before_caller(hold_at, several_ready));
  }
  std::sort(seen.begin(), seen.end());
  return seen[seen.size() / 2];
}

TEST(SchedulingTest, ACallerRunsBeforeTheRestOfAnotherFunctionsBacklog) {
  // Held at the first event: the draining environment yields at its next event once the
  // call is posted; without that, it ran 16 more (and up to 64 environments could be ahead).
  EXPECT_LE(median_events_before_caller(0, false), 4);
}

TEST(SchedulingTest, ACallerGoesAheadOfOtherReadyEnvironments) {
  // Held at the 200th event, by when the pump has started an environment per function, which
  // take turns draining the backlog (each yields every 16 events): they wait in the ready queue.
  // A caller posted then must run before all of them, not after each has had its turn.
  EXPECT_LE(median_events_before_caller(200, true), 4);
}

TEST(SchedulingTest, SyncCallsBesideAnEventBacklogAllComplete) {
  // Environments go back to their pool and are handed a call while they suspend; with
  // Event work ready beside them, every order of the two must be safe.
  auto engine = test::make_engine({.workers = 2});
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> noisy_done{0};
  FunctionConfig noisy{.name = "noisy"};
  noisy.async.max_queue_depth = 1000;
  ASSERT_TRUE(engine.add_function(noisy, [&](const Event&) {
    noisy_done.fetch_add(1, std::memory_order_relaxed);
    return Response{};
  }));
  ASSERT_TRUE(engine.add_function({.name = "echo", .reserved_concurrency = 4}, test::echo));
  std::thread flooder([&] {
    while (!stop.load(std::memory_order_relaxed)) (void)engine.invoke_async("noisy", "{}");
  });
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 2; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto r = engine.invoke("echo", "x");
        if (!r || !r->ok() || r->payload.view() != "x") failures.fetch_add(1);
      }
    });
  }
  for (auto& c : callers) c.join();
  stop = true;
  flooder.join();
  EXPECT_EQ(failures.load(), 0);
  engine.shutdown(std::chrono::seconds(10));
  const auto m = engine.metrics();
  const FunctionMetrics* f = m.find("noisy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->async_events_received, f->async_events_succeeded + f->async_events_spilled);
}

}  // namespace
}  // namespace nanofaas
