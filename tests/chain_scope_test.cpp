// Recursive loop detection through work a handler starts on its own threads and fibers, and
// through the Engine's own calls made inside a handler.

#include <gtest/gtest.h>

#include <boost/fiber/fiber.hpp>

#include <atomic>
#include <thread>

#include "nanofaas/chain_scope.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::eventually;
using test::make_engine;

std::uint64_t dropped(Engine& engine, const char* name) {
  return engine.metrics().find(name)->recursive_invocations_dropped;
}

// How many times "loop" ran before it was stopped, each run invoking it again from work that
// `run_aside(work)` runs on a thread or fiber of the handler's own, under a ChainScope.
template <class RunAside>
int runs_until_stopped(RunAside run_aside) {
  auto engine = make_engine();
  std::atomic<int> runs{0};
  EXPECT_TRUE(engine.add_function({.name = "loop"}, [&](const Event&, Context& ctx) {
    ++runs;
    run_aside([&engine, depth = ctx.depth()] {
      ChainScope chain(depth);
      (void)engine.invoke_async("loop", PayloadView("again"));
    });
    return Response();
  }));
  EXPECT_TRUE(engine.invoke_async("loop", PayloadView("start")));
  EXPECT_TRUE(eventually([&] { return dropped(engine, "loop") == 1; }));
  return runs.load();
}

TEST(ChainScopeTest, ALoopThroughAHandlersOwnThreadIsStoppedAfterSixteenCalls) {
  EXPECT_EQ(runs_until_stopped([](auto work) { std::thread(work).join(); }), 16);
}

TEST(ChainScopeTest, ALoopThroughAHandlersOwnFiberIsStoppedAfterSixteenCalls) {
  EXPECT_EQ(runs_until_stopped([](auto work) { boost::fibers::fiber(work).join(); }), 16);
}

TEST(ChainScopeTest, TheEnginesOwnCallsInsideAHandlerCountAsTheHandlers) {
  auto engine = make_engine();
  std::atomic<int> runs{0};
  ASSERT_TRUE(engine.add_function({.name = "loop"}, [&](const Event&, Context&) {
    ++runs;
    (void)engine.invoke_async("loop", PayloadView("again"));  // not through the Context
    return Response();
  }));
  ASSERT_TRUE(engine.invoke_async("loop", PayloadView("start")));
  ASSERT_TRUE(eventually([&] { return dropped(engine, "loop") == 1; }));
  EXPECT_EQ(runs.load(), 16);
}

TEST(ChainScopeTest, AScopeEndsWithItsThreadsCalls) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "depth"}, [](const Event&, Context& ctx) {
    return Response::ok(std::to_string(ctx.depth()));
  }));
  {
    ChainScope chain(16);
    auto deep = engine.invoke("depth", "");
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, Errc::recursive_invocation);
  }
  auto top = engine.invoke("depth", "");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->payload.view(), "1");
  ChainScope chain(3);
  EXPECT_EQ(engine.invoke("depth", "")->payload.view(), "4");
}

}  // namespace
