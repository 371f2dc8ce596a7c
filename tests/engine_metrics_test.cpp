// Lambda's per-version metrics as the engine counts them: per-worker counters that add up under
// concurrency, provisioned concurrency's executions and utilization, calls through an alias
// (its own `Resource`), and metrics turned off.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "nanofaas/engine.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;
using namespace std::chrono_literals;

TEST(EngineMetricsTest, CountsFromManyThreadsAndNestedCallsAddUp) {
  for (int round = 0; round < 20; ++round) {
    auto engine = make_engine();
    ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
    ASSERT_TRUE(engine.add_function({.name = "outer"}, [](const Event&, Context& ctx) {
      return ctx.invoke("echo", "inner") ? Response::ok("ok") : Response::error("E", "failed");
    }));
    constexpr int threads = 4;
    constexpr int calls = 250;
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t) {
      callers.emplace_back([&engine, t] {
        for (int i = 0; i < calls; ++i) {
          ASSERT_TRUE(engine.invoke(t % 2 == 0 ? "echo" : "outer", "x"));
        }
      });
    }
    for (auto& c : callers) c.join();
    const auto snapshot = engine.metrics();
    const FunctionMetrics* echo_metrics = snapshot.find("echo");
    const FunctionMetrics* outer_metrics = snapshot.find("outer");
    ASSERT_NE(echo_metrics, nullptr);
    ASSERT_NE(outer_metrics, nullptr);
    // Two threads call echo directly and two through outer, which calls echo once each.
    EXPECT_EQ(echo_metrics->invocations, 4u * calls);
    EXPECT_EQ(echo_metrics->duration.count(), 4u * calls);
    EXPECT_EQ(outer_metrics->invocations, 2u * calls);
    EXPECT_EQ(outer_metrics->errors, 0u);
    EXPECT_GE(echo_metrics->cold_starts, 1u);
    EXPECT_EQ(echo_metrics->init_duration.count(), echo_metrics->cold_starts);
  }
}

TEST(EngineMetricsTest, ProvisionedExecutionsAndUtilizationFollowRunningCalls) {
  auto engine = make_engine();
  std::latch entered(1);
  std::latch release(1);
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
    entered.count_down();
    release.wait();
    return Response::ok("done");
  }));
  auto version = engine.publish_version("f");
  ASSERT_TRUE(version);
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 2));
  std::thread caller([&engine] { EXPECT_TRUE(engine.invoke("f:1", "x")); });
  entered.wait();
  auto running = engine.metrics().find("f", "1");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->concurrent_executions, 1u);
  EXPECT_EQ(running->provisioned_concurrent_executions, 1u);
  EXPECT_EQ(running->provisioned_concurrency, 2u);
  EXPECT_DOUBLE_EQ(running->provisioned_concurrency_utilization(), 0.5);
  release.count_down();
  caller.join();
  auto after = engine.metrics().find("f", "1");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->provisioned_concurrent_executions, 0u);
  EXPECT_DOUBLE_EQ(after->provisioned_concurrency_utilization(), 0.0);
  EXPECT_EQ(after->provisioned_spillover_invocations, 0u);
  // $LATEST has no provisioned concurrency: no utilization to report.
  EXPECT_DOUBLE_EQ(engine.metrics().find("f")->provisioned_concurrency_utilization(), 0.0);
}

TEST(EngineMetricsTest, CallsThroughAnAliasCountForItAndForTheVersionsThatRan) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event& e) {
    return e.payload().view() == "fail" ? Response::error("E", "failed") : Response::ok("ok");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live",
                                        .function_version = "1",
                                        .additional_version = "2",
                                        .additional_weight = 0.5}));
  constexpr int calls = 200;
  for (int i = 0; i < calls; ++i) ASSERT_TRUE(engine.invoke("f:live", "x"));
  ASSERT_TRUE(engine.invoke("f:live", "fail"));
  ASSERT_TRUE(engine.invoke("f:1", "x"));  // by version: not the alias's
  // An update keeps the alias's counts; so does deleting it and creating it again.
  ASSERT_TRUE(engine.update_alias("f", {.name = "live", .function_version = "2"}));
  ASSERT_TRUE(engine.invoke("f:live", "x"));
  ASSERT_TRUE(engine.delete_alias("f", "live"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.invoke("f:live", "x"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "idle", .function_version = "1"}));

  const auto snapshot = engine.metrics();
  const FunctionMetrics* live = snapshot.find("f", "live");
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(live->invocations, calls + 3u);
  EXPECT_EQ(live->errors, 1u);
  EXPECT_EQ(live->duration.count(), calls + 3u);
  const FunctionMetrics* v1 = snapshot.find("f", "1");
  const FunctionMetrics* v2 = snapshot.find("f", "2");
  ASSERT_NE(v1, nullptr);
  ASSERT_NE(v2, nullptr);
  // Every call counts once among the versions: the alias's are in them too.
  EXPECT_EQ(v1->invocations + v2->invocations, calls + 4u);
  EXPECT_GT(v2->invocations, 1u);  // the weighted route sent some there
  const FunctionMetrics* idle = snapshot.find("f", "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->invocations, 0u);
  EXPECT_EQ(snapshot.aliases.size(), 2u);
  EXPECT_EQ(snapshot.find("f", "gone"), nullptr);
}

TEST(EngineMetricsTest, AnAliasCountsItsThrottlesAndAsyncEvents) {
  auto engine = make_engine();
  std::latch done(3);
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
    done.count_down();
    return Response::ok("ok");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f:live", PayloadView("x")));
  done.wait();
  ASSERT_TRUE(engine.put_function_concurrency("f", 0));
  EXPECT_EQ(engine.invoke("f:live", "x").error().code, Errc::too_many_requests);
  EXPECT_FALSE(engine.invoke("f:1", "x"));  // the version's throttle, not the alias's
  engine.shutdown(1s);
  const auto snapshot = engine.metrics();
  const FunctionMetrics* live = snapshot.find("f", "live");
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(live->async_events_received, 3u);
  EXPECT_EQ(live->invocations, 3u);
  EXPECT_EQ(live->throttles, 1u);
  EXPECT_EQ(snapshot.find("f", "1")->throttles, 2u);
  EXPECT_EQ(snapshot.find("f", "1")->async_events_received, 3u);
}

TEST(EngineMetricsTest, AnEventThrottledThroughAnAliasCountsForTheAlias) {
  auto engine = make_engine({.async_throttle_backoff = 1ms});
  std::latch entered(1);
  std::latch release(1);
  std::latch second(1);
  std::atomic<int> runs{0};
  ASSERT_TRUE(engine.add_function({.name = "f", .reserved_concurrency = 1}, [&](const Event&) {
    if (runs.fetch_add(1) == 0) {
      entered.count_down();
      release.wait();
    } else {
      second.count_down();
    }
    return Response::ok("ok");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.invoke_async("f:live", PayloadView("first")));
  entered.wait();
  ASSERT_TRUE(engine.invoke_async("f:live", PayloadView("second")));  // no slot: throttled
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (engine.metrics().find("f", "1")->async_throttled == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  release.count_down();
  second.wait();        // the throttled event ran once the slot was free
  engine.shutdown(5s);  // and was counted as it returned
  const auto snapshot = engine.metrics();
  const FunctionMetrics* version = snapshot.find("f", "1");
  const FunctionMetrics* live = snapshot.find("f", "live");
  ASSERT_NE(version, nullptr);
  ASSERT_NE(live, nullptr);
  EXPECT_GE(version->async_throttled, 1u);
  EXPECT_EQ(live->throttles, version->throttles);
  EXPECT_EQ(live->invocations, 2u);
}

TEST(EngineMetricsTest, MetricsOffCountsNoInvocationsButKeepsThrottles) {
  auto engine = make_engine({.metrics = false});
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "closed", .reserved_concurrency = 0}, echo));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine.invoke("echo", "x"));
  EXPECT_FALSE(engine.invoke("closed", "x"));
  const auto snapshot = engine.metrics();
  EXPECT_EQ(snapshot.find("echo")->invocations, 0u);
  EXPECT_EQ(snapshot.find("echo")->duration.count(), 0u);
  EXPECT_EQ(snapshot.find("echo")->cold_starts, 0u);
  EXPECT_EQ(snapshot.find("closed")->throttles, 1u);
}

TEST(EngineMetricsTest, AnIdleFunctionHasEmptyHistograms) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "idle"}, echo));
  const auto m = engine.metrics().find("idle");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->duration.count(), 0u);
  EXPECT_EQ(m->init_duration.count(), 0u);
  EXPECT_EQ(m->async_event_age.count(), 0u);
  EXPECT_EQ(m->duration.p99().count(), 0);
}

}  // namespace
