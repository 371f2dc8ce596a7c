#include "nanofaas/engine.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;

TEST(EngineTest, CreateRejectsUnusableConfiguration) {
  auto no_workers = Engine::create({.workers = 0});
  ASSERT_FALSE(no_workers);
  EXPECT_EQ(no_workers.error().code, Errc::invalid_argument);
  auto bad_min = Engine::create({.concurrency_limit = 10, .unreserved_concurrency_min = 11});
  ASSERT_FALSE(bad_min);
  EXPECT_EQ(bad_min.error().code, Errc::invalid_argument);
}

TEST(EngineTest, FunctionNamesAreValidated) {
  auto engine = make_engine();
  EXPECT_TRUE(engine.add_function({.name = "a-Z_09"}, echo));
  EXPECT_TRUE(engine.add_function({.name = std::string(64, 'x')}, echo));
  for (std::string bad : {std::string(), std::string(65, 'x'), std::string("a b"),
                          std::string("f:1"), std::string("é")}) {
    auto s = engine.add_function({.name = bad}, echo);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Errc::invalid_argument) << bad;
  }
}

TEST(EngineTest, DuplicateNameIsRejected) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto again = engine.add_function({.name = "echo"}, echo);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
}

TEST(EngineTest, InvalidFunctionSettingsAreRejected) {
  auto engine = make_engine();
  auto zero_timeout = engine.add_function({.name = "f", .timeout = std::chrono::seconds(0)}, echo);
  EXPECT_EQ(zero_timeout.error().code, Errc::invalid_argument);
  FunctionConfig big_env{.name = "g"};
  big_env.environment["K"] = std::string(5000, 'v');
  EXPECT_EQ(engine.add_function(big_env, echo).error().code, Errc::invalid_argument);
  auto too_reserved = engine.add_function({.name = "h", .reserved_concurrency = 901}, echo);
  EXPECT_EQ(too_reserved.error().code, Errc::invalid_argument);
}

TEST(EngineTest, EveryOfManyFunctionsIsFoundByItsOwnName) {
  // More names than a caller's lookup cache holds, added while the index grows, and
  // looked up from two threads in different orders: each name reaches its own function.
  auto engine = test::make_engine({.workers = 2});
  constexpr int count = 3000;
  for (int i = 0; i < count; ++i) {
    const std::string name = test::numbered("fn-", i);
    ASSERT_TRUE(engine.add_function({.name = name},
                                    [name](const Event&, Context&) { return Response::ok(name); }));
  }
  auto check = [&engine](int first, int step) {
    for (int k = 0; k < count; ++k) {
      const int i = (first + k * step) % count;
      const std::string name = test::numbered("fn-", i);
      auto r = engine.invoke(name, "");
      ASSERT_TRUE(r) << name;
      ASSERT_EQ(r->payload.view(), name);
    }
  };
  std::thread other([&] { check(count - 1, count - 1); });
  check(0, 7);
  other.join();
  for (const char* missing : {"fn-3000", "fn-", "fn-01", "FN-1", "fn-1x"}) {
    auto r = engine.invoke(missing, "");
    ASSERT_FALSE(r) << missing;
    EXPECT_EQ(r.error().code, Errc::not_found);
  }
}

TEST(EngineTest, InvokeUnknownFunctionReturnsNotFound) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  for (const char* name : {"missing", "echo:7", "echo:live", "missing:$LATEST"}) {
    auto r = engine.invoke(name, "x");
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, Errc::not_found) << name;
  }
}

TEST(EngineTest, EchoReturnsPayloadAndExecutedVersion) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto r = engine.invoke("echo", "hello");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->payload.view(), "hello");
  EXPECT_EQ(r->executed_version, "$LATEST");
  EXPECT_TRUE(r->request_id);
  auto qualified = engine.invoke("echo:$LATEST", "again");
  ASSERT_TRUE(qualified);
  EXPECT_EQ(qualified->payload.view(), "again");
}

TEST(EngineTest, HandlerSeesCallersBytesAndResponseIsMovedNotCopied) {
  auto engine = make_engine();
  const char* seen = nullptr;
  const char* produced = nullptr;
  ASSERT_TRUE(engine.add_function({.name = "zc"}, [&](const Event& ev, Context&) {
    seen = ev.body().data();
    Payload out = Payload::copy_of("response");
    produced = out.data();
    return Response::ok(std::move(out));
  }));
  std::string request(100, 'r');
  auto r = engine.invoke("zc", request);
  ASSERT_TRUE(r);
  EXPECT_EQ(seen, request.data());
  EXPECT_EQ(r->payload.data(), produced);
}

TEST(EngineTest, OwnedPayloadIsHandedOverWithoutCopy) {
  auto engine = make_engine();
  const char* seen = nullptr;
  ASSERT_TRUE(engine.add_function({.name = "own"}, [&](const Event& ev) {
    seen = ev.body().data();
    EXPECT_TRUE(ev.payload().padded());
    return Response::ok(ev.body());
  }));
  Payload p = Payload::copy_of("owned bytes");
  const char* original = p.data();
  auto r = engine.invoke("own", std::move(p));
  ASSERT_TRUE(r);
  EXPECT_EQ(seen, original);
  EXPECT_EQ(r->payload.view(), "owned bytes");
}

TEST(EngineTest, HandledErrorIsAFunctionError) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "bad"}, [](const Event&) {
    return Response::error("ValidationError", "price must be positive");
  }));
  auto r = engine.invoke("bad", "{}");
  ASSERT_TRUE(r);  // the call succeeded; the function failed
  ASSERT_TRUE(r->function_error);
  EXPECT_EQ(r->function_error->kind, FunctionError::Kind::handled);
  EXPECT_EQ(r->function_error->error_type, "ValidationError");
  EXPECT_EQ(r->function_error->error_message, "price must be positive");
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("bad")->errors, 1u);
  EXPECT_EQ(m.find("bad")->invocations, 1u);
}

TEST(EngineTest, ThrowingHandlerIsUnhandledAndEngineKeepsRunning) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "throws"}, [](const Event& ev) -> Response {
    if (ev.body() == "int") throw 42;
    throw std::runtime_error("boom");
  }));
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  for (int i = 0; i < 100; ++i) {
    auto r = engine.invoke("throws", "x");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->function_error);
    EXPECT_EQ(r->function_error->kind, FunctionError::Kind::unhandled);
    EXPECT_EQ(r->function_error->error_type, "std::runtime_error");
    EXPECT_EQ(r->function_error->error_message, "boom");
  }
  auto other = engine.invoke("throws", "int");
  EXPECT_EQ(other->function_error->error_type, "Unknown");
  auto ok = engine.invoke("echo", "still alive");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->payload.view(), "still alive");
}

TEST(EngineTest, OversizedRequestIsRejectedBeforeRunning) {
  auto engine = make_engine({.max_request_bytes = 16});
  std::atomic<int> runs{0};
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
    ++runs;
    return Response{};
  }));
  auto r = engine.invoke("f", std::string(17, 'x'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::request_too_large);
  EXPECT_EQ(runs.load(), 0);
  EXPECT_TRUE(engine.invoke("f", std::string(16, 'x')));
}

TEST(EngineTest, PerFunctionRequestLimitOverridesEngineDefault) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "small", .max_request_bytes = 4}, echo));
  EXPECT_EQ(engine.invoke("small", "12345").error().code, Errc::request_too_large);
}

TEST(EngineTest, DefaultSyncLimitIsSixMegabytes) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&) { return Response{}; }));
  std::string big((6u << 20) + 1, 'x');
  EXPECT_EQ(engine.invoke("f", big).error().code, Errc::request_too_large);
  big.pop_back();
  EXPECT_TRUE(engine.invoke("f", big));
}

TEST(EngineTest, OversizedResponseIsAFunctionError) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "big", .max_response_bytes = 8},
                                  [](const Event&) { return Response::ok("123456789"); }));
  auto r = engine.invoke("big", "");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->function_error);
  EXPECT_EQ(r->function_error->error_type, "Function.ResponseSizeTooLarge");
  EXPECT_TRUE(r->payload.empty());
}

TEST(EngineTest, TimeoutReturnsAtDeadlineWhileHandlerStillRuns) {
  auto engine = make_engine();
  std::latch release(1);
  std::latch returned(1);
  ASSERT_TRUE(engine.add_function({.name = "stuck", .timeout = std::chrono::milliseconds(50)},
                                  [&](const Event& ev) {
                                    if (ev.body() == "block") {
                                      release.wait();  // blocks its worker thread past the deadline
                                      returned.count_down();
                                    }
                                    return Response::ok("done");
                                  }));
  auto r = engine.invoke("stuck", "block");
  // The caller has its answer while the handler is still blocked.
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->function_error);
  EXPECT_EQ(r->function_error->kind, FunctionError::Kind::unhandled);
  EXPECT_EQ(r->function_error->error_type, "Sandbox.Timedout");
  EXPECT_EQ(r->function_error->error_message, "Task timed out after 0.05 seconds");
  release.count_down();
  returned.wait();
  // The late environment is discarded: the next call is a cold start.
  auto next = engine.invoke("stuck", "fast");
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->ok());
  EXPECT_TRUE(next->init_duration.has_value());
  const auto m = engine.metrics();
  EXPECT_EQ(m.find("stuck")->cold_starts, 2u);
  EXPECT_EQ(m.find("stuck")->timeouts, 1u);
}

TEST(EngineTest, SleepingHandlerTimesOutAndIsDiscarded) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "sleepy", .timeout = std::chrono::milliseconds(20)},
                                  [](const Event&, Context& ctx) {
                                    const bool full = ctx.sleep_for(std::chrono::seconds(30));
                                    return Response::ok(full ? "slept" : "cut");
                                  }));
  for (int i = 0; i < 5; ++i) {
    auto r = engine.invoke("sleepy", "");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->function_error);
    EXPECT_EQ(r->function_error->error_type, "Sandbox.Timedout");
  }
}

TEST(EngineTest, DryRunValidatesWithoutRunning) {
  auto engine = make_engine({.max_request_bytes = 8});
  std::atomic<int> runs{0};
  ASSERT_TRUE(
      engine.add_function({.name = "f", .policy = {{.principal = "svc-a"}}}, [&](const Event&) {
        ++runs;
        return Response{};
      }));
  EXPECT_TRUE(engine.dry_run("f"));
  EXPECT_TRUE(engine.dry_run("f", "1234", {.principal = "svc-a"}));
  EXPECT_EQ(engine.dry_run("missing").error().code, Errc::not_found);
  EXPECT_EQ(engine.dry_run("f", "123456789").error().code, Errc::request_too_large);
  EXPECT_EQ(engine.dry_run("f", "", {.principal = "svc-b"}).error().code, Errc::permission_denied);
  EXPECT_EQ(runs.load(), 0);
  EXPECT_EQ(engine.metrics().find("f")->invocations, 0u);
}

TEST(EngineTest, ResourcePolicyDecidesWhoMayInvoke) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .policy = {{.principal = "svc-a"}}}, echo));
  EXPECT_TRUE(engine.invoke("f", "x"));  // the host itself
  EXPECT_TRUE(engine.invoke("f", "x", {.principal = "svc-a"}));
  auto denied = engine.invoke("f", "x", {.principal = "svc-b"});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, Errc::permission_denied);
  EXPECT_EQ(lambda_name(denied.error().code), "AccessDeniedException");
  ASSERT_TRUE(engine.add_permission("f", {.principal = "*"}));
  EXPECT_TRUE(engine.invoke("f", "x", {.principal = "svc-b"}));
}

TEST(EngineTest, PolicyStatementCanBeScopedToAQualifier) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.add_permission("f", {.principal = "svc", .qualifier = "live"}));
  EXPECT_TRUE(engine.invoke("f:live", "x", {.principal = "svc"}));
  EXPECT_EQ(engine.invoke("f", "x", {.principal = "svc"}).error().code, Errc::permission_denied);
  EXPECT_EQ(engine.dry_run("f:1", "", {.principal = "svc"}).error().code, Errc::permission_denied);
}

TEST(EngineTest, TwoEnginesWorkIndependently) {
  auto a = make_engine({.workers = 1});
  auto b = make_engine({.workers = 1});
  ASSERT_TRUE(a.add_function({.name = "f"}, [](const Event&) { return Response::ok("a"); }));
  ASSERT_TRUE(b.add_function({.name = "f"}, [](const Event&) { return Response::ok("b"); }));
  std::thread ta([&] {
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(a.invoke("f", "")->payload.view(), "a");
  });
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(b.invoke("f", "")->payload.view(), "b");
  ta.join();
  {
    auto moved = std::move(a);  // destroying one engine leaves the other running
  }
  EXPECT_EQ(b.invoke("f", "")->payload.view(), "b");
}

TEST(EngineTest, ShutdownWithIdleAndProvisionedEnvironmentsIsClean) {
  for (int i = 0; i < 100; ++i) {
    auto engine = make_engine();
    ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
    ASSERT_TRUE(engine.publish_version("f"));
    ASSERT_TRUE(engine.put_provisioned_concurrency("f:1", 16));
    ASSERT_TRUE(engine.invoke("f", "x"));
  }
}

TEST(EngineTest, ReclaimRacingAnEnvironmentThatJustWentIdleIsSafe) {
  // keep_alive 0: every idle environment is expired at once, often before its fiber has
  // suspended after its last call.
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .keep_alive = std::chrono::nanoseconds(0)}, echo));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(engine.invoke("f", "x"));
    engine.reclaim_idle_environments();
  }
  EXPECT_EQ(engine.metrics().find("f")->invocations, 5000u);
}

}  // namespace
