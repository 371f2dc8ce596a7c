// Lambda's per-version metrics as the engine counts them: per-worker counters that add up under
// concurrency, provisioned concurrency's executions and utilization, and metrics turned off.
#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

#include "nanofaas/engine.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

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
