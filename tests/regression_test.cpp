// Defects found in review, each with the test that caught it.

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::echo;
using test::make_engine;

TEST(RegressionTest, FailedRegistrationIsNeverVisible) {
  // A registration refused for an impossible reservation is never visible: a reader in
  // between would keep a pointer to a function that is then freed.
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "big", .reserved_concurrency = 900}, echo));
  std::atomic<bool> stop{false};
  std::atomic<long> found{0};
  std::thread reader([&] {
    while (!stop.load()) found += engine.dry_run("x") ? 1 : 0;
  });
  for (int i = 0; i < 20000; ++i) {
    ASSERT_FALSE(engine.add_function({.name = "x", .reserved_concurrency = 50}, echo));
  }
  stop = true;
  reader.join();
  EXPECT_EQ(found.load(), 0);
}

TEST(RegressionTest, NestedCallEndsAtTheCalleesDeadlineEvenIfItWaitsLonger) {
  auto engine = make_engine({.workers = 1});
  std::atomic<bool> h_done{false};
  ASSERT_TRUE(engine.add_function({.name = "h", .timeout = 5s}, [&](const Event&, Context& ctx) {
    ctx.sleep_for(300ms);
    h_done = true;
    return Response{};
  }));
  ASSERT_TRUE(engine.add_function({.name = "g", .timeout = 10ms}, [](const Event&, Context& ctx) {
    (void)ctx.invoke("h", "");
    return Response{};
  }));
  ASSERT_TRUE(engine.add_function({.name = "c"}, [&](const Event&, Context& ctx) {
    auto r = ctx.invoke("g", "");
    const bool early = !h_done.load();  // g's answer came while h still slept
    return Response::ok(std::string(r->function_error ? r->function_error->error_type : "ok") +
                        (early ? " early" : " late"));
  }));
  EXPECT_EQ(engine.invoke("c", "")->payload.view(), "Sandbox.Timedout early");
}

TEST(RegressionTest, ProvisionedEnvironmentLostInlineIsReplaced) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "slow", .timeout = 5ms}, [](const Event&, Context& ctx) {
    ctx.sleep_for(50ms);
    return Response{};
  }));
  ASSERT_TRUE(engine.publish_version("slow"));
  ASSERT_TRUE(engine.put_provisioned_concurrency("slow:1", 1));
  ASSERT_TRUE(engine.add_function({.name = "caller"}, [](const Event&, Context& ctx) {
    auto r = ctx.invoke("slow:1", "");
    return Response::ok(r->function_error ? r->function_error->error_type : "ok");
  }));
  EXPECT_EQ(engine.invoke("caller", "")->payload.view(), "Sandbox.Timedout");
  // The replacement initialises on the worker after the lost one exits.
  while (engine.metrics().find("slow", "1")->provisioned_environments != 1) {
    std::this_thread::yield();
  }
  EXPECT_EQ(engine.metrics().find("slow", "1")->environments, 1u);
}

TEST(RegressionTest, LoweringProvisionedConcurrencyRetiresBusyEnvironmentsToo) {
  auto engine = make_engine();
  std::latch started(1);
  std::latch release(1);
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "hold") {
      started.count_down();
      while (!release.try_wait()) ctx.sleep_for(100us);
    }
    return Response{};
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 1));
  std::thread holder([&] { (void)engine.invoke("f:1", "hold"); });
  started.wait();
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 0));
  release.count_down();
  holder.join();
  EXPECT_EQ(engine.metrics().find("f", "1")->provisioned_environments, 0u);
}

TEST(RegressionTest, ProvisioningAnAliasUsesItsMainVersionNotAWeightedPick) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live",
                                        .function_version = "1",
                                        .additional_version = "2",
                                        .additional_weight = 0.5}));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(engine.put_provisioned_concurrency("f:live", 1));
    EXPECT_EQ(engine.metrics().find("f", "1")->provisioned_environments, 1u);
    EXPECT_EQ(engine.metrics().find("f", "2")->provisioned_environments, 0u);
    ASSERT_TRUE(engine.put_provisioned_concurrency("f:live", 0));
  }
}

TEST(RegressionTest, ProvisioningAfterShutdownIsRefusedInsteadOfWaitingForever) {
  // The environments' init went to workers that had stopped: the call never returned (found
  // by the chaos soak, tests/soak/).
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  engine.shutdown(0s);
  const auto provisioned = engine.put_provisioned_concurrency("f:1", 1);
  ASSERT_FALSE(provisioned);
  EXPECT_EQ(provisioned.error().code, Errc::unavailable);
}

TEST(RegressionTest, ExtremeDurationsAndSizesAreRejectedOrSaturated) {
  EXPECT_EQ(Engine::create({.stack_size = SIZE_MAX}).error().code, Errc::invalid_argument);
  auto engine = make_engine();
  EXPECT_EQ(engine.add_function({.name = "f", .timeout = std::chrono::nanoseconds::max()}, echo)
                .error()
                .code,
            Errc::invalid_argument);
  ASSERT_TRUE(engine.add_function({.name = "s", .timeout = 20ms}, [](const Event&, Context& ctx) {
    return Response::ok(ctx.sleep_for(std::chrono::nanoseconds::max()) ? "full" : "cut");
  }));
  auto r = engine.invoke("s", "");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->function_error);  // cut at the deadline, so it timed out
  EXPECT_EQ(r->function_error->error_type, "Sandbox.Timedout");
}

}  // namespace
