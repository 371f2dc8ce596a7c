// Destination records and dead letters published to JetStream by the record sink, on a real
// server, as an engine's asynchronous invocations produce them.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "esm_fixture.hpp"
#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_record_sink.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;

std::shared_ptr<RecordSink> sink(const JetStream& js, const std::string& stream) {
  auto made = jetstream_record_sink(js, {.stream = stream});
  if (!made) throw std::runtime_error(made.error().message);
  return *made;
}

TEST(JetStreamRecordSinkTest, DestinationRecordsAndDeadLettersAreStoredInTheirStreams) {
  NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()}).value();
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.maximum_retry_attempts = 0;
  config.async.on_success.record_sink = sink(js, "successes");
  config.async.on_failure.record_sink = sink(js, "failures");
  config.async.dead_letter_sink = sink(js, "dead");
  ASSERT_TRUE(engine.add_function(config, [](const Event& e) {
    if (e.body() == "fail") return Response::error("Nope", "line one\nline two");
    return Response::ok("done");
  }));
  auto ok = engine.invoke_async("f", "fine");
  ASSERT_TRUE(ok);
  auto failed = engine.invoke_async("f", "fail");
  ASSERT_TRUE(failed);

  const auto successes = read_back(js, "successes", 1);
  ASSERT_EQ(successes.size(), 1u);
  EXPECT_EQ(json_field(successes[0].body, {"requestContext", "condition"}), "Success");
  EXPECT_EQ(json_field(successes[0].body, {"requestContext", "requestId"}), ok->to_string());
  EXPECT_EQ(json_field(successes[0].body, {"responsePayload"}), "done");

  const auto failures = read_back(js, "failures", 1);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(json_field(failures[0].body, {"requestContext", "condition"}), "RetriesExhausted");
  EXPECT_EQ(json_field(failures[0].body, {"requestContext", "requestId"}), failed->to_string());

  const auto dead = read_back(js, "dead", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "fail");
  EXPECT_EQ(dead[0].headers.at("RequestID"), failed->to_string());
  EXPECT_EQ(dead[0].headers.at("ErrorCode"), "200");
  EXPECT_EQ(dead[0].headers.at("ErrorMessage"), "line one line two");
}

TEST(JetStreamRecordSinkTest, APutRepeatedForTheSameOutcomeStoresOneMessage) {
  NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()}).value();
  auto records = sink(js, "dead");
  DeadLetter letter{.function_name = "f", .error_code = "200", .payload = "event"};
  ASSERT_TRUE(records->put(letter));
  ASSERT_TRUE(records->put(letter));  // e.g. retried after a lost acknowledgement
  auto second = js.publish("dead", "marker");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 2u);  // the repeat was dropped as a duplicate
}

TEST(JetStreamRecordSinkTest, AMissingStreamIsNotFoundWithoutCreate) {
  NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()}).value();
  auto made = jetstream_record_sink(js, {.stream = "absent", .create = false});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, Errc::not_found);
  auto bad = jetstream_record_sink(js, {.stream = "a b"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

}  // namespace
