// Engine::invoke with a completion (the call waits on an engine fiber, no caller thread
// blocks) and Tail logs (InvokeOptions::tail_log).

#include <gtest/gtest.h>

#include <future>
#include <string>

#include "nanofaas/nanofaas.hpp"

namespace nanofaas {
namespace {

class InvokeCompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.emplace(Engine::create({.workers = 2}).value());
    ASSERT_TRUE(engine_->add_function({.name = "echo"},
                                      [](const Event& ev) { return Response::ok(ev.body()); }));
    ASSERT_TRUE(engine_->add_function({.name = "chatty"}, [](const Event&, Context& ctx) {
      for (int i = 0; i < 100; ++i) ctx.log("line " + std::to_string(i) + std::string(90, '.'));
      return Response::ok("{}");
    }));
  }
  // Invokes with a completion and waits for it here (the test is the host).
  InvokeResult call(std::string_view name, std::string_view body, InvokeOptions options = {}) {
    std::promise<InvokeResult> promise;
    auto future = promise.get_future();
    auto started =
        engine_->invoke(name, Payload::copy_of(body), options,
                        [&promise](InvokeResult&& r) { promise.set_value(std::move(r)); });
    if (!started) return Unexpected(started.error());
    return future.get();
  }

  std::optional<Engine> engine_;
};

TEST_F(InvokeCompletionTest, TheCompletionGetsTheResponseOnceForEveryCall) {
  for (int i = 0; i < 1000; ++i) {
    std::string body = "[";
    body.append(std::to_string(i)).append("]");
    auto result = call("echo", body);
    ASSERT_TRUE(result);
    ASSERT_TRUE(result->ok());
    EXPECT_EQ(result->payload.view(), body);
    EXPECT_EQ(result->executed_version, "$LATEST");
  }
}

TEST_F(InvokeCompletionTest, EngineErrorsComeThroughTheCompletion) {
  auto missing = call("missing", "{}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  ASSERT_TRUE(engine_->put_function_concurrency("echo", 0));
  auto throttled = call("echo", "{}");
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, Errc::too_many_requests);
}

TEST_F(InvokeCompletionTest, AnEmptyCompletionOrAStoppedEngineIsRefusedAtOnce) {
  auto empty = engine_->invoke("echo", Payload::copy_of("{}"), {}, InvokeCompletion{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::invalid_argument);
  engine_->shutdown(std::chrono::seconds(1));
  bool called = false;
  auto stopped = engine_->invoke("echo", Payload::copy_of("{}"), {},
                                 [&called](InvokeResult&&) { called = true; });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, Errc::unavailable);
  EXPECT_FALSE(called);
}

TEST_F(InvokeCompletionTest, ShutdownWaitsForCallsHandedOverBeforeIt) {
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> completed{0};
    int started = 0;
    for (int i = 0; i < 200; ++i) {
      if (engine_->invoke("echo", Payload::copy_of("{}"), {},
                          [&completed](InvokeResult&&) { ++completed; })) {
        ++started;
      }
    }
    engine_->shutdown(std::chrono::seconds(1));
    EXPECT_EQ(completed.load(), started);  // none lost, whether it ran or was refused
    SetUp();
  }
}

TEST_F(InvokeCompletionTest, TailLogsKeepTheLast4KBOfTheHandlersLines) {
  auto quiet = call("chatty", "{}");
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(quiet->log_tail.empty());  // not asked for
  auto tailed = call("chatty", "{}", {.tail_log = true});
  ASSERT_TRUE(tailed);
  EXPECT_EQ(tailed->log_tail.size(), InvokeOptions::max_log_tail);
  // The handler's last line, then Lambda's END and REPORT; START fell out of the 4 KB.
  const std::string id = tailed->request_id.to_string();
  const std::string last = "\tINFO\tline 99" + std::string(90, '.') + "\nEND RequestId: " + id +
                           "\nREPORT RequestId: " + id + "\tDuration: ";
  EXPECT_NE(tailed->log_tail.find(last), std::string::npos) << tailed->log_tail;
  EXPECT_EQ(tailed->log_tail.find("START RequestId"), std::string::npos);
  EXPECT_TRUE(tailed->log_tail.ends_with(" ms\n"));
  auto sync = engine_->invoke("chatty", "{}", {.tail_log = true});
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->log_tail.size(), InvokeOptions::max_log_tail);
  EXPECT_NE(sync->log_tail.find("\tINFO\tline 99"), std::string::npos);
}

}  // namespace
}  // namespace nanofaas
