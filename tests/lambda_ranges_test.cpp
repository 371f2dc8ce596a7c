// Settings Lambda refuses are refused here too, with a clear error, and the HTTP status of
// each engine error is Lambda's.

#include <gtest/gtest.h>

#include <chrono>

#include "nanofaas/engine.hpp"
#include "nanofaas/error.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::echo;
using test::make_engine;

TEST(LambdaRangesTest, MaximumEventAgeIsAtMostSixHours) {
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.maximum_event_age = 6h + 1s;
  auto refused = engine.add_function(config, echo);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_NE(refused.error().message.find("21600"), std::string::npos) << refused.error().message;
  config.async.maximum_event_age = 6h;
  ASSERT_TRUE(engine.add_function(config, echo));
  AsyncConfig longer;
  longer.maximum_event_age = 7h;
  EXPECT_EQ(engine.put_function_event_invoke_config("f", longer).error().code,
            Errc::invalid_argument);
}

TEST(LambdaRangesTest, ANegativeEngineKeepAliveIsRefused) {
  auto engine = Engine::create({.keep_alive = -1s});
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error().code, Errc::invalid_argument);
  EXPECT_TRUE(Engine::create({.keep_alive = 0s}));
}

TEST(LambdaRangesTest, APermissionForAQualifierThatDoesNotExistIsNotFound) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  for (const char* qualifier : {"live", "1", "0", "99999999999999999999"}) {
    auto refused = engine.add_permission("f", {.principal = "svc", .qualifier = qualifier});
    ASSERT_FALSE(refused) << qualifier;
    EXPECT_EQ(refused.error().code, Errc::not_found) << qualifier;
  }
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  EXPECT_TRUE(engine.add_permission("f", {.principal = "svc", .qualifier = "1"}));
  EXPECT_TRUE(engine.add_permission("f", {.principal = "svc", .qualifier = "live"}));
  EXPECT_TRUE(engine.add_permission("f", {.principal = "svc", .qualifier = "$LATEST"}));
}

TEST(LambdaRangesTest, ServiceExceptionIsHttp500) {
  EXPECT_EQ(lambda_name(Errc::unavailable), "ServiceException");
  EXPECT_EQ(http_status(Errc::unavailable), 500);
}

}  // namespace
