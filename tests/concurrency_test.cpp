#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

/// Where blocked handlers report in and wait for the release.
struct Gate {
  explicit Gate(int n) : started(n) {}
  std::latch started;
  std::latch release{1};
};

/// A handler that, for the event "block", reports in and waits for the gate to open.
auto blocking_handler(Gate& gate) {
  return [&gate](const Event& ev, Context& ctx) {
    if (ev.body() == "block") {
      gate.started.count_down();
      // Wait without holding the worker thread, so other calls still run.
      while (!gate.release.try_wait()) ctx.sleep_for(std::chrono::microseconds(50));
    }
    return Response::ok("ok");
  };
}

/// `n` invocations of `name` held inside their handlers until destruction opens the gate.
struct Blockers {
  Blockers(Engine& engine, std::string name, int n, Gate& g) : gate(g) {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&engine, name] {
        auto r = engine.invoke(name, "block");
        EXPECT_TRUE(r && r->ok());
      });
    }
    gate.started.wait();
  }
  ~Blockers() {
    gate.release.count_down();
    for (auto& t : threads) t.join();
  }
  Gate& gate;
  std::vector<std::thread> threads;
};

TEST(ConcurrencyTest, EngineLimitThrottlesWithItsReason) {
  Gate gate(3);
  auto engine = make_engine({.concurrency_limit = 3, .unreserved_concurrency_min = 0});
  ASSERT_TRUE(engine.add_function({.name = "f", .timeout = std::chrono::seconds(30)},
                                  blocking_handler(gate)));
  ASSERT_TRUE(engine.add_function({.name = "g"}, echo));
  {
    auto blockers = std::make_unique<Blockers>(engine, "f", 3, gate);
    for (const char* name : {"f", "g"}) {
      auto r = engine.invoke(name, "x");
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, Errc::too_many_requests);
      EXPECT_EQ(r.error().reason, ThrottleReason::concurrent_invocation_limit_exceeded);
      EXPECT_EQ(lambda_name(r.error().reason), "ConcurrentInvocationLimitExceeded");
    }
    EXPECT_EQ(engine.metrics().concurrent_executions, 3u);
    blockers.reset();
  }
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("f")->throttles, 1u);
  EXPECT_EQ(m.find("f")->invocations, 3u);  // throttles are not invocations
  EXPECT_EQ(m.find("f")->errors, 0u);
  EXPECT_TRUE(engine.invoke("g", "x"));
}

TEST(ConcurrencyTest, ReservationCapsTheFunction) {
  Gate gate(2);
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function(
      {.name = "f", .timeout = std::chrono::seconds(30), .reserved_concurrency = 2},
      blocking_handler(gate)));
  auto blockers = std::make_unique<Blockers>(engine, "f", 2, gate);
  auto r = engine.invoke("f", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason,
            ThrottleReason::reserved_function_concurrent_invocation_limit_exceeded);
  blockers.reset();
  EXPECT_TRUE(engine.invoke("f", "x"));
}

TEST(ConcurrencyTest, ReservationIsAGuaranteeCarvedFromTheUnreservedPool) {
  Gate gate(2);
  auto engine = make_engine({.concurrency_limit = 6, .unreserved_concurrency_min = 2});
  ASSERT_TRUE(engine.add_function({.name = "reserved", .reserved_concurrency = 4}, echo));
  ASSERT_TRUE(engine.add_function({.name = "shared", .timeout = std::chrono::seconds(30)},
                                  blocking_handler(gate)));
  EXPECT_EQ(engine.metrics().unreserved_concurrency_available, 2u);
  auto blockers = std::make_unique<Blockers>(engine, "shared", 2, gate);
  // The unreserved pool is full...
  EXPECT_EQ(engine.invoke("shared", "x").error().reason,
            ThrottleReason::concurrent_invocation_limit_exceeded);
  // ...but the reserved function still has its own capacity.
  EXPECT_TRUE(engine.invoke("reserved", "x"));
  blockers.reset();
}

TEST(ConcurrencyTest, ReservationMayNotLeaveUnreservedBelowMinimum) {
  auto engine = make_engine({.concurrency_limit = 10, .unreserved_concurrency_min = 4});
  ASSERT_TRUE(engine.add_function({.name = "a"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "b"}, echo));
  ASSERT_TRUE(engine.put_function_concurrency("a", 5));
  auto s = engine.put_function_concurrency("b", 2);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::invalid_argument);
  EXPECT_NE(s.error().message.find("minimum"), std::string::npos);
  EXPECT_TRUE(engine.put_function_concurrency("b", 1));
  EXPECT_TRUE(engine.put_function_concurrency("a", 1));  // lowering frees room
  EXPECT_TRUE(engine.put_function_concurrency("b", 5));
  EXPECT_EQ(engine.put_function_concurrency("missing", 1).error().code, Errc::not_found);
}

TEST(ConcurrencyTest, ReservedZeroThrottlesEverythingUntilDeleted) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  EXPECT_TRUE(engine.invoke("f", "x"));
  ASSERT_TRUE(engine.put_function_concurrency("f", 0));
  for (int i = 0; i < 10; ++i) {
    auto r = engine.invoke("f", "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::too_many_requests);
  }
  EXPECT_EQ(engine.dry_run("f").error().code, Errc::too_many_requests);
  ASSERT_TRUE(engine.delete_function_concurrency("f"));
  EXPECT_TRUE(engine.invoke("f", "x"));
  EXPECT_EQ(engine.metrics().find("f")->throttles, 10u);
}

TEST(ConcurrencyTest, SequentialCallsUnderReservationOfOneNeverThrottle) {
  // The slot is released before the caller wakes, so back-to-back calls always fit.
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .reserved_concurrency = 1}, echo));
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(engine.invoke("f", "x")) << i;
}

TEST(ConcurrencyTest, ProvisionedEnvironmentsAreWarmAndSpilloverIsCounted) {
  Gate gate(3);
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .timeout = std::chrono::seconds(30)},
                                  blocking_handler(gate)));
  ASSERT_EQ(engine.publish_version("f").value(), "1");
  EXPECT_EQ(engine.put_provisioned_concurrency("f", 2).error().code, Errc::invalid_argument);
  EXPECT_EQ(engine.put_provisioned_concurrency("f:$LATEST", 2).error().code,
            Errc::invalid_argument);
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 2));
  auto m = engine.metrics();
  EXPECT_EQ(m.find("f", "1")->provisioned_environments, 2u);
  EXPECT_EQ(m.find("f", "1")->cold_starts, 2u);
  auto warm = engine.invoke("f:1", "x");
  ASSERT_TRUE(warm);
  EXPECT_FALSE(warm->init_duration.has_value());
  EXPECT_EQ(engine.metrics().find("f", "1")->cold_starts, 2u);
  {
    auto blockers =
        std::make_unique<Blockers>(engine, "f:1", 3, gate);  // two provisioned + one spill-over
    blockers.reset();
  }
  m = engine.metrics();
  EXPECT_EQ(m.find("f", "1")->provisioned_spillover_invocations, 1u);
  EXPECT_EQ(m.find("f", "1")->cold_starts, 3u);
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 0));
  EXPECT_EQ(engine.metrics().find("f", "1")->environments, 1u);  // the on-demand one
}

TEST(ConcurrencyTest, ProvisionedMayNotExceedReservation) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .reserved_concurrency = 2}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  EXPECT_EQ(engine.put_provisioned_concurrency("f:1", 3).error().code, Errc::invalid_argument);
  ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 2));
  EXPECT_EQ(engine.put_function_concurrency("f", 1).error().code, Errc::invalid_argument);
}

TEST(ConcurrencyTest, ProvisionedConcurrencyIsTakenFromTheUnreservedPool) {
  Gate gate(4);
  auto engine = make_engine({.concurrency_limit = 6, .unreserved_concurrency_min = 2});
  ASSERT_TRUE(engine.add_function({.name = "p", .timeout = std::chrono::seconds(30)},
                                  blocking_handler(gate)));
  ASSERT_TRUE(engine.add_function({.name = "other", .timeout = std::chrono::seconds(30)},
                                  blocking_handler(gate)));
  ASSERT_TRUE(engine.publish_version("p"));
  // At most the pool less its minimum; the message names both.
  auto refused = engine.put_provisioned_concurrency("p:1", 5);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_NE(refused.error().message.find("[2]"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(engine.put_provisioned_concurrency("p:1", 2));
  EXPECT_EQ(engine.metrics().unreserved_concurrency_available, 4u);
  // A reservation elsewhere may not take what the provisioning holds.
  ASSERT_TRUE(engine.add_function({.name = "r"}, echo));
  EXPECT_EQ(engine.put_function_concurrency("r", 3).error().code, Errc::invalid_argument);
  {
    // The other functions fill the pool that is left...
    auto blockers = std::make_unique<Blockers>(engine, "other", 4, gate);
    auto throttled = engine.invoke("other", "x");
    ASSERT_FALSE(throttled);
    EXPECT_EQ(throttled.error().reason, ThrottleReason::concurrent_invocation_limit_exceeded);
    // ...and the provisioned version still runs on its own slots.
    EXPECT_TRUE(engine.invoke("p:1", "x"));
    blockers.reset();
  }
  // A reservation takes the provisioning in: the pool gets the slots back beyond it.
  ASSERT_TRUE(engine.put_function_concurrency("p", 2));
  EXPECT_EQ(engine.metrics().unreserved_concurrency_available, 4u);
  ASSERT_TRUE(engine.delete_function_concurrency("p"));
  EXPECT_EQ(engine.metrics().unreserved_concurrency_available, 4u);
  ASSERT_TRUE(engine.put_provisioned_concurrency("p:1", 0));
  EXPECT_EQ(engine.metrics().unreserved_concurrency_available, 6u);
}

TEST(ConcurrencyTest, ProvisioningFromAHandlerIsRefused) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.add_function({.name = "admin"}, [&engine](const Event&) {
    auto s = engine.put_provisioned_concurrency("f:1", 1);
    return Response::ok(s ? "ok" : lambda_name(s.error().code));
  }));
  EXPECT_EQ(engine.invoke("admin", "")->payload.view(), "InvalidParameterValueException");
}

TEST(ConcurrencyTest, ProvisioningReportsInitFailure) {
  auto engine = make_engine();
  struct Broken {
    explicit Broken(InitContext&) { throw std::runtime_error("no config"); }
    Response operator()(const Event&) { return {}; }
  };
  ASSERT_TRUE(engine.add_function<Broken>({.name = "broken"}));
  ASSERT_TRUE(engine.publish_version("broken"));
  auto s = engine.put_provisioned_concurrency("broken:1", 2);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no config"), std::string::npos);
}

}  // namespace
