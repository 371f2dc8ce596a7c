#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

TEST(ContextTest, DescribesTheInvocation) {
  auto engine = make_engine();
  FunctionConfig config{.name = "who", .timeout = std::chrono::seconds(5)};
  config.environment["REGION"] = "eu";
  RequestId seen_id;
  ASSERT_TRUE(engine.add_function(config, [&](const Event&, Context& ctx) {
    seen_id = ctx.request_id();
    EXPECT_EQ(ctx.function_name(), "who");
    EXPECT_EQ(ctx.function_version(), "1");
    EXPECT_EQ(ctx.invoked_qualifier(), "live");
    EXPECT_EQ(ctx.caller(), "svc");
    EXPECT_EQ(ctx.client_context(), "{\"app\":1}");
    EXPECT_EQ(ctx.env("REGION"), "eu");
    EXPECT_FALSE(ctx.env("SECRET").has_value());
    EXPECT_EQ(ctx.depth(), 1u);
    EXPECT_FALSE(ctx.cancelled());
    EXPECT_GT(ctx.remaining_time(), std::chrono::seconds(4));
    EXPECT_LE(ctx.remaining_time(), std::chrono::seconds(5));
    return Response{};
  }));
  ASSERT_TRUE(engine.publish_version("who"));
  ASSERT_TRUE(engine.create_alias("who", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.add_permission("who", {.principal = "svc"}));
  auto r = engine.invoke("who:live", "", {.principal = "svc", .client_context = "{\"app\":1}"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, seen_id);
  EXPECT_EQ(r->request_id.to_string().size(), 36u);
}

TEST(ContextTest, RequestIdsAreUnique) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(engine.invoke("echo", "")->request_id.to_string());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
}

TEST(ContextTest, NestedInvokeSuspendsOnlyTheFiber) {
  // One worker: if a nested call blocked the thread, the callee could never run.
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "inner"}, [](const Event& ev, Context& ctx) {
    return Response::ok(std::string(ev.body()) + "/" + std::to_string(ctx.depth()));
  }));
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [](const Event& ev, Context& ctx) {
    auto r = ctx.invoke("inner", ev.body());
    if (!r) return Response::error("InnerFailed", r.error().message);
    return Response::ok(std::move(r->payload));
  }));
  for (int i = 0; i < 1000; ++i) {
    auto r = engine.invoke("outer", "x");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok());
    EXPECT_EQ(r->payload.view(), "x/2");
  }
}

TEST(ContextTest, NestedCallToSelfGetsItsOwnEnvironment) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "fact"}, [](const Event& ev, Context& ctx) {
    const int n = std::stoi(std::string(ev.body()));
    if (n <= 1) return Response::ok("1");
    auto r = ctx.invoke("fact", std::to_string(n - 1));
    return Response::ok(std::to_string(n * std::stoi(r->payload.str())));
  }));
  EXPECT_EQ(engine.invoke("fact", "10")->payload.view(), "3628800");
  EXPECT_EQ(engine.metrics().find("fact")->environments, 10u);
}

TEST(ContextTest, NestedTimeoutSuspendsOnlyTheCaller) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "slow", .timeout = std::chrono::milliseconds(10)},
                                  [](const Event&, Context& ctx) {
                                    ctx.sleep_for(std::chrono::seconds(10));
                                    return Response{};
                                  }));
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [](const Event&, Context& ctx) {
    auto r = ctx.invoke("slow", "");
    return Response::ok(r->function_error ? r->function_error->error_type : "ok");
  }));
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(engine.invoke("outer", "")->payload.view(), "Sandbox.Timedout");
}

TEST(ContextTest, WarmNestedCallThatTimesOutDiscardsItsEnvironment) {
  // One worker, warm callee: the nested call runs on the caller's fiber (caller runs).
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "callee", .timeout = std::chrono::milliseconds(10)},
                                  [](const Event& ev, Context& ctx) {
                                    if (ev.body() == "slow") ctx.sleep_for(std::chrono::seconds(5));
                                    return Response::ok(ev.body());
                                  }));
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [](const Event&, Context& ctx) {
    std::string trace;
    for (const char* body : {"fast", "fast", "slow", "fast"}) {
      auto r = ctx.invoke("callee", body);
      trace += r->function_error ? r->function_error->error_type : r->payload.str();
      trace += r->init_duration ? "(cold) " : " ";
    }
    return Response::ok(trace);
  }));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(engine.invoke("outer", "")->payload.view(),
              i == 0 ? "fast(cold) fast Sandbox.Timedout fast(cold) "
                     : "fast fast Sandbox.Timedout fast(cold) ");
  }
  EXPECT_EQ(engine.metrics().find("callee")->environments, 1u);
  EXPECT_EQ(engine.metrics().find("callee")->timeouts, 20u);
}

TEST(ContextTest, SleepHonoursTheDeadline) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function(
      {.name = "s", .timeout = std::chrono::seconds(2)}, [](const Event&, Context& ctx) {
        const bool short_sleep = ctx.sleep_for(std::chrono::microseconds(100));
        return Response::ok(short_sleep ? "full" : "cut");
      }));
  EXPECT_EQ(engine.invoke("s", "")->payload.view(), "full");
}

TEST(ContextTest, LogLinesReachTheSinkTagged) {
  std::mutex mutex;
  std::vector<std::string> lines;
  auto engine = make_engine({.log_sink = [&](const LogRecord& record) {
    if (record.source != LogRecord::Source::function) return;  // START, END, REPORT
    std::lock_guard lock(mutex);
    lines.push_back(std::string(record.function_name) + " " + std::string(record.version) + " " +
                    std::string(record.message) + " " + std::to_string(record.request_id.size()));
  }});
  ASSERT_TRUE(engine.add_function({.name = "talk"}, [](const Event&, Context& ctx) {
    ctx.log("hello");
    return Response{};
  }));
  ASSERT_TRUE(engine.invoke("talk", ""));
  engine.shutdown(std::chrono::seconds(1));  // the writer thread has written every line
  std::lock_guard lock(mutex);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "talk $LATEST hello 36");
}

}  // namespace
