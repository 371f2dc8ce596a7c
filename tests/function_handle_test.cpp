// Calls through a FunctionHandle (Engine::resolve): the same results as calls by name, following
// what the name would resolve to at each call, and clear errors for a handle that cannot be
// used.

#include "nanofaas/function_handle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using nanofaas::test::make_engine;

// Answers with the version that ran.
Response version_that_ran(const Event&, Context& ctx) {
  return Response::ok(std::string(ctx.function_version()));
}

TEST(FunctionHandleTest, AHandleCallsAsTheNameDoes) {
  auto engine = make_engine({.workers = 2});
  ASSERT_TRUE(engine.add_function({.name = "echo"}, [](const Event& e, Context& ctx) {
    return Response::ok(std::string(e.payload().view()) + "@" +
                        std::string(ctx.invoked_qualifier()));
  }));
  auto echo = engine.resolve("echo");
  ASSERT_TRUE(echo) << echo.error().message;
  EXPECT_TRUE(*echo);
  EXPECT_EQ(echo->qualified_name(), "echo");
  for (int i = 0; i < 100; ++i) {
    auto r = engine.invoke(*echo, "hi");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->payload.view(), "hi@");
    EXPECT_EQ(r->executed_version, "$LATEST");
  }
  auto latest = engine.resolve("echo:$LATEST");
  ASSERT_TRUE(latest);
  auto r = engine.invoke(*latest, Payload::copy_of("owned"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload.view(), "owned@$LATEST");
  EXPECT_EQ(engine.metrics().find("echo")->invocations, 101u);
}

TEST(FunctionHandleTest, UnknownNamesAreNotFound) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, version_that_ran));
  for (const char* name : {"missing", "f:1", "f:live", "f:0", "", "f:"}) {
    auto h = engine.resolve(name);
    ASSERT_FALSE(h) << name;
    EXPECT_EQ(h.error().code, Errc::not_found) << name;
  }
}

TEST(FunctionHandleTest, AVersionsHandleKeepsRunningThatVersion) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, version_that_ran));
  ASSERT_TRUE(engine.publish_version("f"));
  auto one = engine.resolve("f:1");
  auto unqualified = engine.resolve("f");
  ASSERT_TRUE(one && unqualified);
  ASSERT_TRUE(engine.publish_version("f"));
  EXPECT_EQ(engine.invoke(*one, "")->payload.view(), "1");
  EXPECT_EQ(engine.invoke(*unqualified, "")->payload.view(), "$LATEST");
}

TEST(FunctionHandleTest, AnAliasHandleFollowsTheAliasUntilItIsDeleted) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, version_that_ran));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  auto live = engine.resolve("f:live");
  ASSERT_TRUE(live);
  auto r = engine.invoke(*live, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload.view(), "1");
  EXPECT_EQ(r->executed_version, "1");
  ASSERT_TRUE(engine.update_alias("f", {.name = "live", .function_version = "2"}));
  EXPECT_EQ(engine.invoke(*live, "")->payload.view(), "2");
  ASSERT_TRUE(engine.delete_alias("f", "live"));
  auto gone = engine.invoke(*live, "");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::not_found);
  EXPECT_NE(gone.error().message.find("f:live"), std::string::npos) << gone.error().message;
}

TEST(FunctionHandleTest, AnotherEnginesOrAnEmptyHandleIsAClearError) {
  auto a = make_engine({.workers = 1});
  auto b = make_engine({.workers = 1});
  ASSERT_TRUE(a.add_function({.name = "f"}, version_that_ran));
  ASSERT_TRUE(b.add_function({.name = "f"}, version_that_ran));
  auto of_a = a.resolve("f");
  ASSERT_TRUE(of_a);
  auto r = b.invoke(*of_a, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("another engine"), std::string::npos) << r.error().message;
  EXPECT_EQ(b.invoke_async(*of_a, "").error().code, Errc::invalid_argument);

  const FunctionHandle empty;
  EXPECT_FALSE(empty);
  auto e = a.invoke(empty, "");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::invalid_argument);
  EXPECT_NE(e.error().message.find("empty"), std::string::npos) << e.error().message;
  EXPECT_EQ(a.invoke_async(empty, Payload::copy_of("x")).error().code, Errc::invalid_argument);
  EXPECT_EQ(a.metrics().find("f")->invocations, 0u);
}

TEST(FunctionHandleTest, AHandleOutlivingItsEngineIsRefusedByTheNext) {
  FunctionHandle stale;
  {
    auto gone = make_engine({.workers = 1});
    ASSERT_TRUE(gone.add_function({.name = "f"}, version_that_ran));
    stale = gone.resolve("f").value();
  }
  // Likely built where the first one was: the handle is still refused, never followed.
  auto next = make_engine({.workers = 1});
  ASSERT_TRUE(next.add_function({.name = "f"}, version_that_ran));
  EXPECT_EQ(next.invoke(stale, "").error().code, Errc::invalid_argument);
}

TEST(FunctionHandleTest, AHandleMovedFromStaysUsable) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(engine.add_function({.name = "f"}, version_that_ran));
  FunctionHandle h = engine.resolve("f").value();
  const FunctionHandle moved = std::move(h);
  for (const FunctionHandle* handle : {static_cast<const FunctionHandle*>(&h), &moved}) {
    EXPECT_TRUE(*handle);
    EXPECT_EQ(handle->qualified_name(), "f");
    EXPECT_TRUE(engine.invoke(*handle, ""));
  }
}

TEST(FunctionHandleTest, ChecksApplyAsByName) {
  auto engine = make_engine({.workers = 1});
  ASSERT_TRUE(
      engine.add_function({.name = "f", .policy = {{.principal = "svc-a"}}}, version_that_ran));
  auto f = engine.resolve("f");
  ASSERT_TRUE(f);
  EXPECT_TRUE(engine.invoke(*f, "", {.principal = "svc-a"}));
  EXPECT_EQ(engine.invoke(*f, "", {.principal = "svc-b"}).error().code, Errc::permission_denied);
  const std::string big(7 * 1024 * 1024, 'x');
  EXPECT_EQ(engine.invoke(*f, big).error().code, Errc::request_too_large);
  engine.shutdown(std::chrono::seconds(1));
  EXPECT_EQ(engine.invoke(*f, "").error().code, Errc::unavailable);
  EXPECT_EQ(engine.invoke_async(*f, "").error().code, Errc::unavailable);
}

TEST(FunctionHandleTest, EventsThroughAHandleRun) {
  auto engine = make_engine({.workers = 2});
  constexpr int events = 1000;
  std::latch ran(events);
  ASSERT_TRUE(engine.add_function({.name = "sink"}, [&ran](const Event&) {
    ran.count_down();
    return Response{};
  }));
  auto sink = engine.resolve("sink");
  ASSERT_TRUE(sink);
  for (int i = 0; i < events; ++i) {
    auto id = i % 2 == 0 ? engine.invoke_async(*sink, "e") : engine.invoke_async(*sink, Payload());
    ASSERT_TRUE(id) << id.error().message;
  }
  ran.wait();
}

TEST(FunctionHandleTest, AHandlerCallsAndSendsThroughAHandle) {
  auto engine = make_engine({.workers = 2});
  std::latch sent(1);
  ASSERT_TRUE(engine.add_function({.name = "inner"}, [&sent](const Event& e) {
    if (e.payload().view() == "event") sent.count_down();
    return Response::ok("inner:" + std::string(e.payload().view()));
  }));
  auto inner = engine.resolve("inner");
  ASSERT_TRUE(inner);
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [&inner](const Event&, Context& ctx) {
    auto r = ctx.invoke(*inner, "call");
    if (!r || !r->ok()) return Response::error("Failed", "nested call");
    if (!ctx.invoke_async(*inner, "event")) return Response::error("Failed", "nested event");
    return Response::ok(std::string(r->payload.view()));
  }));
  auto r = engine.invoke("outer", "");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->ok()) << r->function_error->error_message;
  EXPECT_EQ(r->payload.view(), "inner:call");
  sent.wait();
}

}  // namespace
