// Completion callbacks of asynchronous invocations: each event's outcome, handed to the caller
// once.

#include <gtest/gtest.h>

#include <boost/fiber/future.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// Waits for completion outcomes.
struct Completions {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<AsyncOutcome> outcomes;
  AsyncCompletion callback() {
    return [this](AsyncOutcome&& o) {
      std::lock_guard lock(mutex);
      outcomes.push_back(std::move(o));
      changed.notify_all();
    };
  }
  bool wait(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, [&] { return outcomes.size() >= n; });
  }
};

TEST(AsyncCompletionTest, SuccessHandsTheResponseToTheCallback) {
  Completions done;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto id = engine.invoke_async("echo", Payload::copy_of("hello"), done.callback());
  ASSERT_TRUE(id);
  ASSERT_TRUE(done.wait(1));
  const AsyncOutcome& o = done.outcomes[0];
  EXPECT_EQ(o.request_id, *id);
  EXPECT_EQ(o.condition, "Success");
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->payload.view(), "hello");
  EXPECT_EQ(o.result->executed_version, "$LATEST");
}

TEST(AsyncCompletionTest, RetriesExhaustedHandsTheLastFunctionError) {
  Completions done;
  std::atomic<int> calls{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "fails"};
  config.async.retry_delays = {0ns};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    calls.fetch_add(1);
    return Response::error("Boom", "always");
  }));
  ASSERT_TRUE(engine.invoke_async("fails", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(done.wait(1));
  EXPECT_EQ(calls.load(), 3);  // the call and two retries, then the outcome once
  const AsyncOutcome& o = done.outcomes[0];
  EXPECT_EQ(o.condition, "RetriesExhausted");
  ASSERT_TRUE(o.result);
  ASSERT_TRUE(o.result->function_error);
  EXPECT_EQ(o.result->function_error->error_type, "Boom");
}

TEST(AsyncCompletionTest, EventsThatNeverRunGetAnEngineError) {
  Completions done;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "closed", .reserved_concurrency = 0u}, echo));
  ASSERT_TRUE(engine.invoke_async("closed", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(done.wait(1));
  ASSERT_FALSE(done.outcomes[0].result);
  EXPECT_EQ(done.outcomes[0].result.error().code, Errc::too_many_requests);
  // Refused calls never call back.
  EXPECT_FALSE(engine.invoke_async("missing", Payload::copy_of("x"), done.callback()));
  EXPECT_EQ(done.outcomes.size(), 1u);
}

TEST(AsyncCompletionTest, SpilledEventsAreToldTheEngineShutDown) {
  Completions done;
  test::ManualClock clock;
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "fails"};
  config.async.retry_delays = {1h};
  ASSERT_TRUE(engine.add_function(config, [](const Event&) { return Response::error("E", "m"); }));
  ASSERT_TRUE(engine.invoke_async("fails", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().functions[0].async_retries == 1; }));
  engine.shutdown(0ns);
  ASSERT_TRUE(done.wait(1));
  EXPECT_EQ(done.outcomes[0].condition, "Shutdown");
  EXPECT_EQ(done.outcomes[0].result.error().code, Errc::unavailable);
}

TEST(AsyncCompletionTest, AHandlerWaitsForAnAsyncResultOnAFiberFuture) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "caller"}, [&](const Event&, Context&) {
    boost::fibers::promise<std::string> promise;
    auto future = promise.get_future();
    auto id = engine.invoke_async(
        "echo", Payload::copy_of("via future"),
        [&promise](AsyncOutcome&& o) { promise.set_value(std::string(o.result->payload.view())); });
    if (!id) return Response::error("Refused", id.error().message);
    return Response::ok(future.get());  // suspends this fiber only
  }));
  for (int i = 0; i < 200; ++i) {
    auto r = engine.invoke("caller", PayloadView());
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << r->function_error->error_message;
    EXPECT_EQ(r->payload.view(), "via future");
  }
}

}  // namespace
