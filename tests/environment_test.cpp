#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

std::atomic<int> pricer_inits{0};

/// A handler type: its constructor is the init phase.
struct Pricer {
  explicit Pricer(InitContext& init)
      : currency(std::string(init.env("CURRENCY").value_or("none"))) {
    ++pricer_inits;
    if (currency == "fail") throw std::invalid_argument("bad currency");
  }
  Response operator()(const Event& ev, Context&) {
    ++calls;
    return Response::ok(currency + ":" + std::string(ev.body()) + ":" + std::to_string(calls));
  }
  std::string currency;
  int calls = 0;
};

TEST(EnvironmentTest, ColdStartThenWarmStarts) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto first = engine.invoke("echo", "a");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->init_duration.has_value());
  for (int i = 0; i < 100; ++i) {
    auto warm = engine.invoke("echo", "b");
    ASSERT_TRUE(warm);
    EXPECT_FALSE(warm->init_duration.has_value());
  }
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("echo")->cold_starts, 1u);
  EXPECT_EQ(m.find("echo")->environments, 1u);
  EXPECT_EQ(m.find("echo")->invocations, 101u);
}

TEST(EnvironmentTest, ColdStartsWorkWithAndWithoutAStackReserve) {
  for (std::size_t reserve : {0u, 4u, 64u}) {
    auto engine = make_engine({.workers = 1, .stack_reserve = reserve});
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(engine.add_function({.name = test::numbered("f", i)}, echo));
    }
    ASSERT_TRUE(engine.add_function({.name = "starter"}, [](const Event&, Context& ctx) {
      int cold = 0;
      for (int i = 0; i < 50; ++i)
        cold += ctx.invoke(test::numbered("f", i), "x")->init_duration ? 1 : 0;
      return Response::ok(std::to_string(cold));
    }));
    EXPECT_EQ(engine.invoke("starter", "")->payload.view(), "50") << reserve;
  }
  EXPECT_EQ(Engine::create({.stack_reserve = 5000}).error().code, Errc::invalid_argument);
}

TEST(EnvironmentTest, TypeHandlerRunsInitOncePerEnvironmentAndKeepsState) {
  pricer_inits = 0;
  auto engine = make_engine();
  FunctionConfig config{.name = "price"};
  config.environment["CURRENCY"] = "EUR";
  ASSERT_TRUE(engine.add_function<Pricer>(config));
  EXPECT_EQ(engine.invoke("price", "x")->payload.view(), "EUR:x:1");
  EXPECT_EQ(engine.invoke("price", "y")->payload.view(), "EUR:y:2");
  EXPECT_EQ(pricer_inits.load(), 1);
}

TEST(EnvironmentTest, CallableHandlersAreCopiedPerEnvironment) {
  auto engine = make_engine();
  int counter = 0;  // each environment increments its own copy
  ASSERT_TRUE(engine.add_function({.name = "count"}, [counter](const Event&) mutable {
    return Response::ok(std::to_string(++counter));
  }));
  EXPECT_EQ(engine.invoke("count", "")->payload.view(), "1");
  EXPECT_EQ(engine.invoke("count", "")->payload.view(), "2");
  EXPECT_EQ(counter, 0);
}

TEST(EnvironmentTest, InitFailureIsReportedAndEnvironmentNotKept) {
  pricer_inits = 0;
  auto engine = make_engine();
  FunctionConfig config{.name = "broken"};
  config.environment["CURRENCY"] = "fail";
  ASSERT_TRUE(engine.add_function<Pricer>(config));
  for (int i = 0; i < 3; ++i) {
    auto r = engine.invoke("broken", "x");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->function_error);
    EXPECT_EQ(r->function_error->kind, FunctionError::Kind::unhandled);
    EXPECT_EQ(r->function_error->error_type, "Runtime.InitError");
    EXPECT_NE(r->function_error->error_message.find("bad currency"), std::string::npos);
  }
  EXPECT_EQ(pricer_inits.load(), 3);  // every call tried a fresh environment
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("broken")->init_errors, 3u);
  EXPECT_EQ(m.find("broken")->idle_environments, 0u);
}

TEST(EnvironmentTest, IdleEnvironmentsAreReclaimedAfterKeepAlive) {
  test::ManualClock clock;
  auto engine = make_engine({.keep_alive = std::chrono::minutes(10), .clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "short", .keep_alive = std::chrono::seconds(1)}, echo));
  ASSERT_TRUE(engine.invoke("echo", "x"));
  ASSERT_TRUE(engine.invoke("short", "x"));
  clock.advance(std::chrono::seconds(2));
  EXPECT_EQ(engine.reclaim_idle_environments(), 1u);  // only "short" expired
  EXPECT_EQ(engine.metrics().find("short")->environments, 0u);
  EXPECT_EQ(engine.metrics().find("echo")->environments, 1u);
  clock.advance(std::chrono::minutes(10));  // 10 min 2 s since its last use
  EXPECT_EQ(engine.reclaim_idle_environments(), 1u);
  auto r = engine.invoke("echo", "x");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->init_duration.has_value());  // cold again
  EXPECT_EQ(engine.metrics().find("echo")->cold_starts, 2u);
}

TEST(EnvironmentTest, ProvisionedEnvironmentsAreNotReclaimed) {
  test::ManualClock clock;
  auto engine = make_engine({.keep_alive = std::chrono::seconds(1), .clock = &clock});
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 3));
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(engine.reclaim_idle_environments(), 0u);
  EXPECT_EQ(engine.metrics().find("f", "1")->provisioned_environments, 3u);
}

TEST(EnvironmentTest, EnvironmentLocalStoragePersistsAcrossInvocations) {
  auto engine = make_engine({.workers = 1});
  struct Cache {
    int hits = 0;
  };
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
    return Response::ok(std::to_string(++ctx.local<Cache>().hits));
  }));
  EXPECT_EQ(engine.invoke("f", "")->payload.view(), "1");
  EXPECT_EQ(engine.invoke("f", "")->payload.view(), "2");
}

TEST(EnvironmentTest, VersionsAreSnapshotsWithTheirOwnPools) {
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.environment["V"] = "one";
  ASSERT_TRUE(engine.add_function(config, [](const Event&, Context& ctx) {
    return Response::ok(std::string(ctx.env("V").value_or("?")) + "@" +
                        std::string(ctx.function_version()));
  }));
  EXPECT_EQ(engine.publish_version("f").value(), "1");
  EXPECT_EQ(engine.publish_version("f").value(), "2");
  EXPECT_EQ(engine.publish_version("missing").error().code, Errc::not_found);
  auto r = engine.invoke("f:2", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload.view(), "one@2");
  EXPECT_EQ(r->executed_version, "2");
  EXPECT_EQ(engine.metrics().find("f", "2")->cold_starts, 1u);
  EXPECT_EQ(engine.metrics().find("f", "1")->cold_starts, 0u);
}

TEST(EnvironmentTest, AliasesRouteByWeight) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  EXPECT_EQ(engine.create_alias("f", {.name = "live", .function_version = "1"}).error().code,
            Errc::already_exists);
  EXPECT_EQ(engine.invoke("f:live", "")->executed_version, "1");
  ASSERT_TRUE(engine.update_alias("f", {.name = "live",
                                        .function_version = "1",
                                        .additional_version = "2",
                                        .additional_weight = 1.0}));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(engine.invoke("f:live", "")->executed_version, "2");
  ASSERT_TRUE(engine.update_alias("f", {.name = "live",
                                        .function_version = "1",
                                        .additional_version = "2",
                                        .additional_weight = 0.5}));
  int twos = 0;
  for (int i = 0; i < 2000; ++i) twos += engine.invoke("f:live", "")->executed_version == "2";
  EXPECT_GT(twos, 700);  // 1000 expected; far outside chance otherwise
  EXPECT_LT(twos, 1300);
  ASSERT_TRUE(engine.delete_alias("f", "live"));
  EXPECT_EQ(engine.invoke("f:live", "").error().code, Errc::not_found);
}

TEST(EnvironmentTest, BadAliasesAreRejected) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  EXPECT_EQ(engine.create_alias("f", {.name = "a", .function_version = "9"}).error().code,
            Errc::not_found);
  EXPECT_EQ(engine.create_alias("f", {.name = "7", .function_version = "1"}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(engine
                .create_alias("f", {.name = "a",
                                    .function_version = "1",
                                    .additional_version = "1",
                                    .additional_weight = 0.5})
                .error()
                .code,
            Errc::invalid_argument);
  EXPECT_EQ(engine.update_alias("f", {.name = "nope", .function_version = "1"}).error().code,
            Errc::not_found);
}

/// An init phase longer than the function's timeout.
struct SlowInit {
  explicit SlowInit(InitContext&) { std::this_thread::sleep_for(std::chrono::milliseconds(1500)); }
  Response operator()(const Event&, Context& ctx) {
    return Response::ok(ctx.remaining_time() > std::chrono::nanoseconds(0) ? "in time" : "late");
  }
};

TEST(EnvironmentTest, TheInitPhaseDoesNotCountAgainstTheTimeout) {
  auto engine = make_engine({.workers = 2});
  ASSERT_TRUE(engine.add_function<SlowInit>({.name = "slow", .timeout = std::chrono::seconds(1)}));
  ASSERT_TRUE(
      engine.add_function<SlowInit>({.name = "nested", .timeout = std::chrono::seconds(1)}));
  ASSERT_TRUE(engine.add_function({.name = "caller", .timeout = std::chrono::seconds(30)},
                                  [](const Event&, Context& ctx) {
                                    auto r = ctx.invoke("nested", "");
                                    if (!r || !r->ok()) return Response::error("Failed", "nested");
                                    return Response::ok(std::string(r->payload.view()));
                                  }));
  // A plain thread and a handler's fiber wait past the timeout while the init runs.
  std::thread thread_caller([&] {
    auto r = engine.invoke("slow", "");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << r->function_error->error_type;
    EXPECT_EQ(r->payload.view(), "in time");
    ASSERT_TRUE(r->init_duration);
    EXPECT_GE(*r->init_duration, std::chrono::milliseconds(1500));
  });
  auto nested = engine.invoke("caller", "");
  thread_caller.join();
  ASSERT_TRUE(nested);
  ASSERT_TRUE(nested->ok()) << nested->function_error->error_message;
  EXPECT_EQ(nested->payload.view(), "in time");
  EXPECT_EQ(engine.metrics().find("slow")->timeouts, 0u);
}

}  // namespace
