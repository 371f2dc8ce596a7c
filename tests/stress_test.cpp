#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

TEST(StressTest, ManyThreadsManyCallsAllAnsweredAndCounted) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "nest"}, [](const Event& ev, Context& ctx) {
    auto r = ctx.invoke("echo", ev.body());
    return r ? Response::ok(std::move(r->payload)) : Response::error("E", r.error().message);
  }));
  constexpr int threads = 4;
  constexpr int calls = 20000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        const std::string body = std::to_string(t * calls + i);
        auto r = engine.invoke(i % 2 ? "echo" : "nest", body);
        if (!r || !r->ok() || r->payload.view() != body) ++wrong;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("echo")->invocations, threads * calls);  // half direct, half nested
  EXPECT_EQ(m.find("nest")->invocations, threads * calls / 2);
  EXPECT_EQ(m.concurrent_executions, 0u);
  EXPECT_EQ(m.unreserved_concurrent_executions, 0u);
}

TEST(StressTest, TimeoutsRacingCompletionNeverLoseOrDoubleAResult) {
  // Deadlines close to the handler's run time make completion and abandonment race.
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "edge", .timeout = std::chrono::microseconds(30)},
                                  [](const Event&, Context& ctx) {
                                    ctx.sleep_for(std::chrono::microseconds(25));
                                    return Response::ok("ok");
                                  }));
  std::atomic<int> ok{0};
  std::atomic<int> timed_out{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 3; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < 3000; ++i) {
        auto r = engine.invoke("edge", "");
        ASSERT_TRUE(r);
        if (r->ok()) {
          ++ok;
        } else {
          ASSERT_EQ(r->function_error->error_type, "Sandbox.Timedout");
          ++timed_out;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(ok + timed_out, 9000);
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("edge")->invocations, 9000u);
  EXPECT_EQ(m.find("edge")->timeouts, static_cast<std::uint64_t>(timed_out.load()));
}

TEST(StressTest, EnginesCreatedAndDestroyedRepeatedly) {
  for (int i = 0; i < 200; ++i) {
    auto engine = make_engine({.workers = 1u + static_cast<std::uint32_t>(i % 3)});
    ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
    ASSERT_TRUE(engine.invoke("echo", "x"));
  }
}

}  // namespace
