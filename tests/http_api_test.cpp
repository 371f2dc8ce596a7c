// The Lambda control plane over HTTP: each route's happy path with its JSON, and its errors
// (unknown resources, malformed JSON, values out of Lambda's ranges), against an in-process
// engine and server.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <deque>
#include <string>

#include "http_client.hpp"
#include "nanofaas/http_server.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::HttpReply;

constexpr std::string_view orders_arn = "arn:aws:sqs:us-east-1:000000000000:orders";
constexpr std::string_view arn_prefix = "arn:aws:lambda:us-east-1:000000000000:function:";

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Engine::create();
    ASSERT_TRUE(created);
    engine.emplace(std::move(*created));
    ASSERT_TRUE(engine->add_function({.name = "echo",
                                      .description = "answers with its request",
                                      .timeout = 1500ms,
                                      .environment = {{"STAGE", "test"}}},
                                     [](const Event& ev) { return Response::ok(ev.body()); }));
    FunctionConfig other{.name = "other"};
    other.logging =
        LoggingConfig{.log_format = LogFormat::json, .application_log_level = LogLevel::warn};
    ASSERT_TRUE(engine->add_function(other, [](const Event&) { return Response::ok("{}"); }));
    auto queue = Queue::create({.name = "orders"});
    ASSERT_TRUE(queue);
    orders = *queue;
    auto started =
        HttpServer::start(*engine, {.event_sources = {{std::string(orders_arn), orders}}});
    ASSERT_TRUE(started);
    server.emplace(std::move(*started));
  }
  void TearDown() override {
    if (server) server->stop();
  }

  HttpReply call(std::string_view method, std::string_view target, std::string_view body = {}) {
    return test::http_request(server->port(), method, target, body);
  }
  // The reply's JSON (kept alive with its parser for the test's duration).
  simdjson::dom::element json(const HttpReply& reply) {
    simdjson::dom::element element;
    EXPECT_EQ(parsers.emplace_back().parse(reply.body).get(element), simdjson::SUCCESS)
        << reply.body;
    return element;
  }
  static std::string text(simdjson::dom::element e, std::string_view pointer) {
    std::string_view s;
    EXPECT_EQ(e.at_pointer(pointer).get_string().get(s), simdjson::SUCCESS) << pointer;
    return std::string(s);
  }
  static std::int64_t number(simdjson::dom::element e, std::string_view pointer) {
    std::int64_t n = -1;
    EXPECT_EQ(e.at_pointer(pointer).get_int64().get(n), simdjson::SUCCESS) << pointer;
    return n;
  }
  static bool has(simdjson::dom::element e, std::string_view pointer) {
    return e.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
  // Lambda's error: the status and the type in `x-amzn-ErrorType`.
  static void expect_error(const HttpReply& reply, int status, std::string_view type) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.header("x-amzn-errortype"), type) << reply.body;
  }

  std::optional<Engine> engine;
  std::shared_ptr<Queue> orders;
  std::optional<HttpServer> server;
  std::deque<simdjson::dom::parser> parsers;
};

TEST_F(HttpApiTest, ListsFunctionsWithPaging) {
  for (std::string_view target : {"/2015-03-31/functions/", "/2015-03-31/functions"}) {
    const HttpReply reply = call("GET", target);
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto doc = json(reply);
    EXPECT_EQ(text(doc, "/Functions/0/FunctionName"), "echo");
    EXPECT_EQ(text(doc, "/Functions/1/FunctionName"), "other");
    EXPECT_FALSE(has(doc, "/NextMarker"));
  }
  auto first = json(call("GET", "/2015-03-31/functions/?MaxItems=1"));
  EXPECT_EQ(text(first, "/Functions/0/FunctionName"), "echo");
  EXPECT_FALSE(has(first, "/Functions/1"));
  const std::string marker = text(first, "/NextMarker");
  auto second = json(call("GET", "/2015-03-31/functions/?MaxItems=1&Marker=" + marker));
  EXPECT_EQ(text(second, "/Functions/0/FunctionName"), "other");
  EXPECT_FALSE(has(second, "/NextMarker"));
  expect_error(call("GET", "/2015-03-31/functions/?MaxItems=0"), 400,
               "InvalidParameterValueException");
  expect_error(call("GET", "/2015-03-31/functions/?Marker=x"), 400,
               "InvalidParameterValueException");
}

TEST_F(HttpApiTest, GetsAFunctionAndItsConfiguration) {
  const HttpReply reply = call("GET", "/2015-03-31/functions/echo");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto doc = json(reply);
  EXPECT_EQ(text(doc, "/Configuration/FunctionName"), "echo");
  EXPECT_EQ(text(doc, "/Configuration/FunctionArn"), std::string(arn_prefix) + "echo");
  EXPECT_EQ(text(doc, "/Configuration/Description"), "answers with its request");
  EXPECT_EQ(number(doc, "/Configuration/Timeout"), 2);  // 1.5 s rounds up
  EXPECT_EQ(text(doc, "/Configuration/Version"), "$LATEST");
  EXPECT_EQ(text(doc, "/Configuration/Environment/Variables/STAGE"), "test");
  EXPECT_EQ(text(doc, "/Configuration/State"), "Active");
  EXPECT_EQ(text(doc, "/Configuration/LastUpdateStatus"), "Successful");
  EXPECT_EQ(text(doc, "/Configuration/LastModified").size(), 28u);
  EXPECT_FALSE(text(doc, "/Configuration/RevisionId").empty());
  EXPECT_EQ(text(doc, "/Code/RepositoryType"), "nanofaas");
  EXPECT_FALSE(has(doc, "/Concurrency"));
  EXPECT_EQ(text(doc, "/Configuration/LoggingConfig/LogFormat"), "Text");
  EXPECT_EQ(text(doc, "/Configuration/LoggingConfig/LogGroup"), "/aws/lambda/echo");
  EXPECT_FALSE(has(doc, "/Configuration/LoggingConfig/ApplicationLogLevel"));
  auto other = json(call("GET", "/2015-03-31/functions/other/configuration"));
  EXPECT_EQ(text(other, "/LoggingConfig/LogFormat"), "JSON");
  EXPECT_EQ(text(other, "/LoggingConfig/ApplicationLogLevel"), "WARN");
  EXPECT_EQ(text(other, "/LoggingConfig/SystemLogLevel"), "INFO");

  // By ARN, and the configuration alone.
  auto config =
      json(call("GET", "/2015-03-31/functions/" + std::string(arn_prefix) + "echo/configuration"));
  EXPECT_EQ(text(config, "/FunctionName"), "echo");
  expect_error(call("GET", "/2015-03-31/functions/nope"), 404, "ResourceNotFoundException");
  expect_error(call("GET", "/2015-03-31/functions/nope/configuration"), 404,
               "ResourceNotFoundException");
  expect_error(call("GET", "/2015-03-31/functions/echo?Qualifier=9"), 404,
               "ResourceNotFoundException");
  expect_error(call("GET", "/2015-03-31/functions/a:b:c:d"), 400, "InvalidParameterValueException");
}

TEST_F(HttpApiTest, RefusesToCreateOrDeleteFunctions) {
  const HttpReply created = call("POST", "/2015-03-31/functions", R"({"FunctionName":"x"})");
  expect_error(created, 400, "InvalidParameterValueException");
  EXPECT_NE(created.body.find("Engine::add_function"), std::string::npos);
  expect_error(call("DELETE", "/2015-03-31/functions/echo"), 400, "InvalidParameterValueException");
  expect_error(call("GET", "/2015-03-31/nothing"), 404, "UnknownOperationException");
}

TEST_F(HttpApiTest, PublishesAndListsVersions) {
  const HttpReply published = call("POST", "/2015-03-31/functions/echo/versions", "{}");
  ASSERT_EQ(published.status, 201) << published.body;
  auto version = json(published);
  EXPECT_EQ(text(version, "/Version"), "1");
  EXPECT_EQ(text(version, "/FunctionArn"), std::string(arn_prefix) + "echo:1");
  ASSERT_EQ(call("POST", "/2015-03-31/functions/echo/versions").status, 201);

  auto all = json(call("GET", "/2015-03-31/functions/?FunctionVersion=ALL"));
  EXPECT_EQ(text(all, "/Functions/2/FunctionArn"), std::string(arn_prefix) + "echo:2");
  EXPECT_EQ(text(all, "/Functions/3/FunctionArn"), std::string(arn_prefix) + "other:$LATEST");
  auto list = json(call("GET", "/2015-03-31/functions/echo/versions"));
  EXPECT_EQ(text(list, "/Versions/0/Version"), "$LATEST");
  EXPECT_EQ(text(list, "/Versions/1/Version"), "1");
  EXPECT_EQ(text(list, "/Versions/2/Version"), "2");
  auto one = json(call("GET", "/2015-03-31/functions/echo/configuration?Qualifier=1"));
  EXPECT_EQ(text(one, "/FunctionArn"), std::string(arn_prefix) + "echo:1");

  expect_error(call("POST", "/2015-03-31/functions/nope/versions"), 404,
               "ResourceNotFoundException");
  expect_error(call("POST", "/2015-03-31/functions/echo/versions", "{not json"), 400,
               "InvalidRequestContentException");
  expect_error(call("POST", "/2015-03-31/functions/echo/versions", R"({"Description":1})"), 400,
               "InvalidParameterValueException");
  expect_error(call("GET", "/2015-03-31/functions/nope/versions"), 404,
               "ResourceNotFoundException");
}

TEST_F(HttpApiTest, ManagesAliases) {
  ASSERT_EQ(call("POST", "/2015-03-31/functions/echo/versions").status, 201);
  ASSERT_EQ(call("POST", "/2015-03-31/functions/echo/versions").status, 201);
  const std::string aliases = "/2015-03-31/functions/echo/aliases";
  const HttpReply created =
      call("POST", aliases,
           R"({"Name":"live","FunctionVersion":"1","Description":"production",)"
           R"("RoutingConfig":{"AdditionalVersionWeights":{"2":0.25}}})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto alias = json(created);
  EXPECT_EQ(text(alias, "/AliasArn"), std::string(arn_prefix) + "echo:live");
  EXPECT_EQ(text(alias, "/FunctionVersion"), "1");
  EXPECT_EQ(text(alias, "/Description"), "production");
  double weight = 0;
  ASSERT_EQ(alias.at_pointer("/RoutingConfig/AdditionalVersionWeights/2").get_double().get(weight),
            simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(weight, 0.25);
  EXPECT_EQ(call("POST", aliases, R"({"Name":"live","FunctionVersion":"1"})").status, 409);

  auto got = json(call("GET", aliases + "/live"));
  EXPECT_EQ(text(got, "/Name"), "live");
  const HttpReply updated =
      call("PUT", aliases + "/live", R"({"FunctionVersion":"2","RoutingConfig":{}})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(text(json(updated), "/FunctionVersion"), "2");
  EXPECT_FALSE(has(json(updated), "/RoutingConfig"));
  EXPECT_EQ(text(json(updated), "/Description"), "production");  // kept
  auto list = json(call("GET", aliases));
  EXPECT_EQ(text(list, "/Aliases/0/Name"), "live");
  EXPECT_EQ(text(list, "/Aliases/0/FunctionVersion"), "2");
  EXPECT_EQ(engine->get_function("echo:live")->version, "2");

  EXPECT_EQ(call("DELETE", aliases + "/live").status, 204);
  expect_error(call("GET", aliases + "/live"), 404, "ResourceNotFoundException");
  expect_error(call("POST", aliases, R"({"FunctionVersion":"1"})"), 400,
               "InvalidParameterValueException");
  expect_error(call("POST", aliases,
                    R"({"Name":"a","FunctionVersion":"1",)"
                    R"("RoutingConfig":{"AdditionalVersionWeights":{"2":1.5}}})"),
               400, "InvalidParameterValueException");
  expect_error(call("POST", aliases, "[1"), 400, "InvalidRequestContentException");
  expect_error(call("GET", "/2015-03-31/functions/nope/aliases"), 404, "ResourceNotFoundException");
}

TEST_F(HttpApiTest, ReservesConcurrency) {
  const std::string put = "/2017-10-31/functions/echo/concurrency";
  const std::string get = "/2019-09-30/functions/echo/concurrency";
  EXPECT_EQ(call("GET", get).body, "{}");
  const HttpReply reply = call("PUT", put, R"({"ReservedConcurrentExecutions":3})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(number(json(reply), "/ReservedConcurrentExecutions"), 3);
  EXPECT_EQ(number(json(call("GET", get)), "/ReservedConcurrentExecutions"), 3);
  EXPECT_EQ(number(json(call("GET", "/2015-03-31/functions/echo")),
                   "/Concurrency/ReservedConcurrentExecutions"),
            3);
  EXPECT_EQ(call("DELETE", put).status, 204);
  EXPECT_EQ(call("GET", get).body, "{}");

  expect_error(call("PUT", put, R"({"ReservedConcurrentExecutions":-1})"), 400,
               "InvalidParameterValueException");
  expect_error(call("PUT", put, R"({"ReservedConcurrentExecutions":"3"})"), 400,
               "InvalidParameterValueException");
  expect_error(call("PUT", put, "{}"), 400, "InvalidParameterValueException");
  expect_error(call("PUT", put, "{"), 400, "InvalidRequestContentException");
  expect_error(call("PUT", "/2017-10-31/functions/nope/concurrency",
                    R"({"ReservedConcurrentExecutions":1})"),
               404, "ResourceNotFoundException");
  expect_error(call("GET", "/2019-09-30/functions/nope/concurrency"), 404,
               "ResourceNotFoundException");
}

TEST_F(HttpApiTest, ProvisionsConcurrencyOnAVersion) {
  ASSERT_EQ(call("POST", "/2015-03-31/functions/echo/versions").status, 201);
  const std::string path = "/2019-09-30/functions/echo/provisioned-concurrency";
  const HttpReply put =
      call("PUT", path + "?Qualifier=1", R"({"ProvisionedConcurrentExecutions":2})");
  ASSERT_EQ(put.status, 202) << put.body;
  auto doc = json(put);
  EXPECT_EQ(number(doc, "/RequestedProvisionedConcurrentExecutions"), 2);
  EXPECT_EQ(number(doc, "/AvailableProvisionedConcurrentExecutions"), 2);
  EXPECT_EQ(number(doc, "/AllocatedProvisionedConcurrentExecutions"), 2);
  EXPECT_EQ(text(doc, "/Status"), "READY");
  EXPECT_EQ(engine->get_function("echo:1")->provisioned_ready, 2u);
  auto got = json(call("GET", path + "?Qualifier=1"));
  EXPECT_EQ(number(got, "/RequestedProvisionedConcurrentExecutions"), 2);
  EXPECT_EQ(text(got, "/Status"), "READY");

  EXPECT_EQ(call("DELETE", path + "?Qualifier=1").status, 204);
  const HttpReply missing = call("GET", path + "?Qualifier=1");
  expect_error(missing, 404, "ProvisionedConcurrencyConfigNotFoundException");
  EXPECT_NE(missing.body.find("No Provisioned Concurrency Config found"), std::string::npos);

  expect_error(call("PUT", path, R"({"ProvisionedConcurrentExecutions":1})"), 400,
               "InvalidParameterValueException");
  expect_error(call("GET", path), 400, "InvalidParameterValueException");
  expect_error(
      call("PUT", path + "?Qualifier=%24LATEST", R"({"ProvisionedConcurrentExecutions":1})"), 400,
      "InvalidParameterValueException");
  expect_error(call("PUT", path + "?Qualifier=1", R"({"ProvisionedConcurrentExecutions":0})"), 400,
               "InvalidParameterValueException");
  expect_error(call("PUT", path + "?Qualifier=7", R"({"ProvisionedConcurrentExecutions":1})"), 404,
               "ResourceNotFoundException");
}

TEST_F(HttpApiTest, ConfiguresEventInvocations) {
  const std::string path = "/2019-09-25/functions/echo/event-invoke-config";
  const std::string other_arn = std::string(arn_prefix) + "other";
  // None yet: Lambda's 404, for a read and for a delete.
  const HttpReply none = call("GET", path);
  expect_error(none, 404, "ResourceNotFoundException");
  EXPECT_NE(none.body.find("The function " + std::string(arn_prefix) +
                           "echo doesn't have an EventInvokeConfig"),
            std::string::npos)
      << none.body;
  expect_error(call("DELETE", path), 404, "ResourceNotFoundException");
  const HttpReply put = call("PUT", path,
                             R"({"MaximumRetryAttempts":1,"MaximumEventAgeInSeconds":120,)"
                             R"("DestinationConfig":{"OnSuccess":{"Destination":")" +
                                 other_arn + R"("},"OnFailure":{"Destination":")" +
                                 std::string(orders_arn) + R"("}}})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto doc = json(put);
  EXPECT_EQ(text(doc, "/FunctionArn"), std::string(arn_prefix) + "echo");
  EXPECT_EQ(number(doc, "/MaximumRetryAttempts"), 1);
  EXPECT_EQ(number(doc, "/MaximumEventAgeInSeconds"), 120);
  EXPECT_EQ(text(doc, "/DestinationConfig/OnSuccess/Destination"), other_arn);
  EXPECT_EQ(text(doc, "/DestinationConfig/OnFailure/Destination"), orders_arn);
  double modified = 0;
  EXPECT_EQ(doc.at_pointer("/LastModified").get_double().get(modified), simdjson::SUCCESS);
  EXPECT_GT(modified, 1e9);
  auto config = engine->get_function_event_invoke_config("echo");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->on_success.function, "other");
  EXPECT_EQ(config->on_failure.queue, orders);

  // Update changes only what it is given; Put replaces.
  auto updated = json(call("POST", path, R"({"MaximumEventAgeInSeconds":600})"));
  EXPECT_EQ(number(updated, "/MaximumRetryAttempts"), 1);
  EXPECT_EQ(number(updated, "/MaximumEventAgeInSeconds"), 600);
  EXPECT_EQ(text(updated, "/DestinationConfig/OnSuccess/Destination"), other_arn);
  auto got = json(call("GET", path));
  EXPECT_EQ(number(got, "/MaximumEventAgeInSeconds"), 600);
  auto replaced = json(call("PUT", path, R"({"MaximumRetryAttempts":0})"));
  EXPECT_EQ(number(replaced, "/MaximumEventAgeInSeconds"), 21600);
  EXPECT_FALSE(has(replaced, "/DestinationConfig/OnSuccess/Destination"));
  EXPECT_EQ(number(json(call("GET", path + "?Qualifier=%24LATEST")), "/MaximumRetryAttempts"),
            0);  // $LATEST's is the function's
  EXPECT_EQ(call("DELETE", path).status, 204);
  expect_error(call("GET", path), 404, "ResourceNotFoundException");

  for (std::string_view bad :
       {R"({"MaximumRetryAttempts":3})", R"({"MaximumEventAgeInSeconds":59})",
        R"({"MaximumEventAgeInSeconds":21601})", R"({"MaximumRetryAttempts":true})",
        R"({"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sns:x"}}})"}) {
    expect_error(call("PUT", path, bad), 400, "InvalidParameterValueException");
  }
  expect_error(call("PUT", path, "nope"), 400, "InvalidRequestContentException");
  expect_error(call("GET", "/2019-09-25/functions/nope/event-invoke-config"), 404,
               "ResourceNotFoundException");
}

TEST_F(HttpApiTest, MapsAQueueToAFunction) {
  const std::string mappings = "/2015-03-31/event-source-mappings/";
  const HttpReply created =
      call("POST", mappings,
           R"({"EventSourceArn":")" + std::string(orders_arn) +
               R"(","FunctionName":"echo","BatchSize":5,"MaximumBatchingWindowInSeconds":1,)"
               R"("FilterCriteria":{"Filters":[{"Pattern":"{\"body\":{\"kind\":[\"order\"]}}"}]},)"
               R"("FunctionResponseTypes":["ReportBatchItemFailures"]})");
  ASSERT_EQ(created.status, 202) << created.body;
  auto doc = json(created);
  const std::string uuid = text(doc, "/UUID");
  EXPECT_EQ(text(doc, "/EventSourceArn"), orders_arn);
  EXPECT_EQ(text(doc, "/FunctionArn"), std::string(arn_prefix) + "echo");
  EXPECT_EQ(number(doc, "/BatchSize"), 5);
  EXPECT_EQ(number(doc, "/MaximumBatchingWindowInSeconds"), 1);
  EXPECT_EQ(text(doc, "/State"), "Enabled");
  EXPECT_EQ(text(doc, "/StateTransitionReason"), "USER_INITIATED");
  EXPECT_EQ(text(doc, "/FilterCriteria/Filters/0/Pattern"), R"({"body":{"kind":["order"]}})");
  EXPECT_EQ(text(doc, "/FunctionResponseTypes/0"), "ReportBatchItemFailures");
  auto config = engine->get_event_source_mapping(uuid);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->source, orders);
  EXPECT_TRUE(config->report_batch_item_failures);
  EXPECT_EQ(config->filter_criteria.pattern_count(), 1u);

  EXPECT_EQ(text(json(call("GET", mappings)), "/EventSourceMappings/0/UUID"), uuid);
  EXPECT_EQ(text(json(call("GET", mappings + "?FunctionName=echo")), "/EventSourceMappings/0/UUID"),
            uuid);
  EXPECT_EQ(text(json(call("GET", mappings + "?EventSourceArn=" + std::string(orders_arn))),
                 "/EventSourceMappings/0/UUID"),
            uuid);
  EXPECT_FALSE(has(json(call("GET", mappings + "?FunctionName=other")), "/EventSourceMappings/0"));
  EXPECT_EQ(text(json(call("GET", mappings + uuid)), "/UUID"), uuid);

  const HttpReply updated = call("PUT", mappings + uuid, R"({"Enabled":false,"BatchSize":7})");
  ASSERT_EQ(updated.status, 202) << updated.body;
  EXPECT_EQ(text(json(updated), "/State"), "Disabled");
  EXPECT_EQ(number(json(updated), "/BatchSize"), 7);
  EXPECT_EQ(text(json(updated), "/FilterCriteria/Filters/0/Pattern"),
            R"({"body":{"kind":["order"]}})");
  EXPECT_FALSE(engine->get_event_source_mapping(uuid)->enabled);
  expect_error(call("PUT", mappings + uuid, R"({"BatchSize":0})"), 400,
               "InvalidParameterValueException");
  // An error from the engine's blocking update comes back through the blocking pool.
  expect_error(call("PUT", mappings + uuid, R"({"FunctionName":"nope"})"), 404,
               "ResourceNotFoundException");

  const HttpReply deleted = call("DELETE", mappings + uuid);
  ASSERT_EQ(deleted.status, 202) << deleted.body;
  EXPECT_EQ(text(json(deleted), "/State"), "Deleting");
  EXPECT_FALSE(engine->get_event_source_mapping(uuid));
  expect_error(call("GET", mappings + uuid), 404, "ResourceNotFoundException");
  expect_error(call("DELETE", mappings + uuid), 404, "ResourceNotFoundException");
  expect_error(call("PUT", mappings + uuid, "{}"), 404, "ResourceNotFoundException");
}

TEST_F(HttpApiTest, RefusesBadMappings) {
  const std::string mappings = "/2015-03-31/event-source-mappings/";
  const std::string source = R"({"EventSourceArn":")" + std::string(orders_arn) + R"(",)";
  const HttpReply unknown =
      call("POST", mappings,
           R"({"EventSourceArn":"arn:aws:sqs:us-east-1:000000000000:x","FunctionName":"echo"})");
  expect_error(unknown, 400, "InvalidParameterValueException");
  EXPECT_NE(unknown.body.find("arn:aws:sqs:us-east-1:000000000000:x"), std::string::npos);
  expect_error(call("POST", mappings, source + R"("FunctionName":"nope"})"), 404,
               "ResourceNotFoundException");
  expect_error(call("POST", mappings, source + R"("FunctionName":"echo","BatchSize":10001})"), 400,
               "InvalidParameterValueException");
  expect_error(call("POST", mappings, source + R"("FunctionName":"echo","Enabled":"yes"})"), 400,
               "InvalidParameterValueException");
  expect_error(
      call("POST", mappings,
           source + R"("FunctionName":"echo","FilterCriteria":{"Filters":[{"Pattern":"{"}]}})"),
      400, "InvalidParameterValueException");
  expect_error(call("POST", mappings,
                    source + R"("FunctionName":"echo","FunctionResponseTypes":["Other"]})"),
               400, "InvalidParameterValueException");
  expect_error(call("POST", mappings, source + R"("FunctionName":"echo")"), 400,
               "InvalidRequestContentException");
  expect_error(call("POST", mappings, source + R"("BatchSize":5})"), 400,
               "InvalidParameterValueException");
  expect_error(call("GET", mappings + "no-such-uuid"), 404, "ResourceNotFoundException");
  EXPECT_TRUE(engine->list_event_source_mappings().empty());
}

}  // namespace
