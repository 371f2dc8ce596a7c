// Accepting an asynchronous invocation: its success record, the calls refused at once, a
// version's or alias's own event invoke configuration, and recursion stopped at 16 deep.

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <string>

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

TEST(AsyncTest, AcceptedEventRunsAndSuccessRecordHasLambdasShape) {
  Outcomes outcomes(1);
  auto engine = make_engine();
  FunctionConfig config{.name = "echo"};
  config.async.on_success = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, echo));
  auto id = engine.invoke_async("echo", std::string_view(R"({"order":7})"));
  ASSERT_TRUE(id);
  outcomes.done.wait();
  const std::string& r = outcomes.records.at(0);
  EXPECT_EQ(field(r, "version"), "\"1.0\"");
  EXPECT_EQ(field(r, "requestContext", "requestId"), quoted(id->to_string()));
  EXPECT_EQ(field(r, "requestContext", "condition"), "\"Success\"");
  EXPECT_EQ(field(r, "requestContext", "approximateInvokeCount"), "1");
  EXPECT_NE(field(r, "requestContext", "functionArn").find("function:echo:$LATEST"),
            std::string::npos);
  EXPECT_EQ(field(r, "requestPayload"), R"({"order":7})");
  EXPECT_EQ(field(r, "responsePayload"), R"({"order":7})");
  EXPECT_EQ(field(r, "responseContext", "statusCode"), "200");
  EXPECT_EQ(field(r, "responseContext", "executedVersion"), "\"$LATEST\"");
  EXPECT_FALSE(field(r, "timestamp").empty());
  engine.shutdown(1s);
  const auto m = engine.metrics().find("echo");
  EXPECT_EQ(m->async_events_received, 1u);
  EXPECT_EQ(m->async_events_succeeded, 1u);
  EXPECT_EQ(m->async_pending, 0u);
}

TEST(AsyncTest, BadCallsAreRefusedAtOnce) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  EXPECT_EQ(engine.invoke_async("missing", "x").error().code, Errc::not_found);
  EXPECT_EQ(engine.invoke_async("echo", std::string((1u << 20) + 1, 'x')).error().code,
            Errc::request_too_large);
  EXPECT_TRUE(engine.invoke_async("echo", std::string(1u << 20, 'x')));
  engine.shutdown(1s);
  EXPECT_EQ(engine.invoke_async("echo", "x").error().code, Errc::unavailable);
}

TEST(AsyncConfigTest, VersionsAndAliasesHaveTheirOwnEventInvokeConfig) {
  Outcomes outcomes(2);
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.maximum_retry_attempts = 0;
  std::atomic<int> calls{0};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    calls.fetch_add(1);
    return Response::error("E", "fails");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  // The alias sends failures to its own sink and retries once.
  AsyncConfig alias_config;
  alias_config.maximum_retry_attempts = 1;
  alias_config.retry_delays = {0ns};
  alias_config.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.put_function_event_invoke_config("f:live", alias_config));
  auto read = engine.get_function_event_invoke_config("f:live");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->maximum_retry_attempts, 1u);
  EXPECT_EQ(engine.get_function_event_invoke_config("f:1")->maximum_retry_attempts, 0u);
  // Updating the alias keeps its configuration.
  ASSERT_TRUE(engine.update_alias("f", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.invoke_async("f:live", Payload::copy_of("a")));
  // Version 1 itself keeps the function's: no retry, and its own failure sink.
  AsyncConfig version_config;
  version_config.maximum_retry_attempts = 0;
  version_config.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.put_function_event_invoke_config("f:1", version_config));
  ASSERT_TRUE(engine.invoke_async("f:1", Payload::copy_of("b")));
  outcomes.done.wait();
  EXPECT_EQ(calls.load(), 3);  // "a": call + 1 retry; "b": one call
  std::lock_guard lock(outcomes.mutex);
  EXPECT_EQ(outcomes.records.size(), 2u);
  EXPECT_EQ(engine.put_function_event_invoke_config("f:nope", {}).error().code, Errc::not_found);
  AsyncConfig bad;
  bad.maximum_retry_attempts = 3;
  EXPECT_EQ(engine.put_function_event_invoke_config("f", bad).error().code, Errc::invalid_argument);
}

TEST(AsyncTest, RecursiveLoopIsStoppedAtExactlySixteen) {
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "loop"};
  config.async.dead_letter = outcomes.dead_letter();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&, Context& ctx) {
    ++runs;
    EXPECT_LE(ctx.depth(), 16u);
    (void)ctx.invoke_async("loop", "again");  // calls itself forever
    return Response{};
  }));
  ASSERT_TRUE(engine.invoke_async("loop", "start"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 16);
  EXPECT_NE(outcomes.letters.at(0).find("|RecursiveInvocationException|"), std::string::npos);
  const auto m = *engine.metrics().find("loop");
  EXPECT_EQ(m.recursive_invocations_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.recursive_loop, 1u);
}

TEST(AsyncTest, SynchronousRecursionIsStoppedUnlessAllowed) {
  auto engine = make_engine({.workers = 1});
  auto recurse = [](const Event& ev, Context& ctx) {
    const int n = std::stoi(std::string(ev.body()));
    if (n == 0) return Response::ok(std::to_string(ctx.depth()));
    auto r = ctx.invoke(ctx.function_name(), std::to_string(n - 1));
    if (!r) return Response::error(std::string(lambda_name(r.error().code)), r.error().message);
    if (r->function_error) {
      return Response::error(r->function_error->error_type, r->function_error->error_message);
    }
    return Response::ok(std::move(r->payload));
  };
  ASSERT_TRUE(engine.add_function({.name = "stop"}, recurse));
  ASSERT_TRUE(
      engine.add_function({.name = "free", .recursive_loop = RecursiveLoop::allow}, recurse));
  EXPECT_EQ(engine.invoke("stop", "15")->payload.view(), "16");  // 16 deep is fine
  auto deep = engine.invoke("stop", "16");                       // the 17th is stopped
  ASSERT_TRUE(deep->function_error);
  EXPECT_EQ(deep->function_error->error_type, "RecursiveInvocationException");
  EXPECT_EQ(engine.invoke("free", "20")->payload.view(), "21");
  EXPECT_EQ(engine.metrics().find("stop")->recursive_invocations_dropped, 1u);
}

}  // namespace
