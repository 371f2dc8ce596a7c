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
using test::make_queue;

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

// The message a refused mapping gets, or "" when it was created.
std::string mapping_error(Engine& engine, EventSourceMappingConfig config) {
  auto created = engine.create_event_source_mapping(std::move(config));
  if (created) return {};
  EXPECT_EQ(created.error().code, Errc::invalid_argument);
  return created.error().message;
}

TEST(LambdaRangesTest, AStandardQueueBatchOverTenNeedsAWindowOfAtLeastOneSecond) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  auto queue = make_queue({.name = "q"});
  EventSourceMappingConfig config{.source = queue, .function_name = "f", .batch_size = 11};
  config.maximum_batching_window = 999ms;
  EXPECT_NE(mapping_error(engine, config).find("MaximumBatchingWindowInSeconds"),
            std::string::npos);
  config.batch_size = 10;
  config.maximum_batching_window = 0s;
  EXPECT_EQ(mapping_error(engine, config), "");
  config.batch_size = 10000;
  config.maximum_batching_window = 1s;
  EXPECT_EQ(mapping_error(engine, config), "");
  // An update is checked the same way.
  auto uuid = engine.create_event_source_mapping(config);
  ASSERT_TRUE(uuid);
  config.maximum_batching_window = 0s;
  auto refused = engine.update_event_source_mapping(*uuid, config);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("MaximumBatchingWindowInSeconds"), std::string::npos);
}

TEST(LambdaRangesTest, AFifoQueueMappingHasNoBatchingWindow) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  auto fifo = make_queue({.name = "q.fifo", .fifo = true});
  EventSourceMappingConfig config{.source = fifo, .function_name = "f"};
  config.maximum_batching_window = 1ms;
  EXPECT_NE(mapping_error(engine, config).find("FIFO"), std::string::npos);
  config.maximum_batching_window = 0s;
  EXPECT_EQ(mapping_error(engine, config), "");
}

TEST(LambdaRangesTest, AQueueMustHideAMessageAtLeastAsLongAsTheFunctionRuns) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f", .timeout = 60s}, echo));
  auto queue = make_queue({.name = "q", .visibility_timeout = 30s});
  EXPECT_EQ(mapping_error(engine, {.source = queue, .function_name = "f"}),
            "Invalid request provided: Queue visibility timeout: 30 seconds is less than "
            "Function timeout: 60 seconds");
  auto enough = make_queue({.name = "q2", .visibility_timeout = 60s});
  EXPECT_EQ(mapping_error(engine, {.source = enough, .function_name = "f"}), "");
  // In-process durations may be fractions of a second.
  ASSERT_TRUE(engine.add_function({.name = "quick", .timeout = 1500ms}, echo));
  auto short_queue = make_queue({.name = "q3", .visibility_timeout = 250ms});
  EXPECT_EQ(mapping_error(engine, {.source = short_queue, .function_name = "quick"}),
            "Invalid request provided: Queue visibility timeout: 0.25 seconds is less than "
            "Function timeout: 1.5 seconds");
}

TEST(LambdaRangesTest, DescriptionsAndEnvironmentVariableNamesFollowLambda) {
  auto engine = make_engine();
  FunctionConfig config{.name = "f", .description = std::string(257, 'd')};
  EXPECT_EQ(engine.add_function(config, echo).error().code, Errc::invalid_argument);
  config.description.resize(256);
  for (const char* name : {"", "1ST", "_HANDLER", "WITH-DASH", "AWS_REGION", "LAMBDA_TASK_ROOT"}) {
    config.environment = {{name, "v"}};
    auto refused = engine.add_function(config, echo);
    ASSERT_FALSE(refused) << name;
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  }
  config.environment = {{"TABLE_NAME_2", "v"}, {"x", "w"}};
  EXPECT_TRUE(engine.add_function(config, echo));
}

TEST(LambdaRangesTest, ServiceExceptionIsHttp500) {
  EXPECT_EQ(lambda_name(Errc::unavailable), "ServiceException");
  EXPECT_EQ(http_status(Errc::unavailable), 500);
}

}  // namespace
