// Connecting to JetStream: a clear error when no server answers, publishes acknowledged by a
// real server, and the errors a publish reports.

#include <gtest/gtest.h>

#include <chrono>

#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_record_sink.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;

TEST(JetStreamConnectionTest, NoReachableServerIsUnavailableAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  // Port 1 on loopback: refused at once, never waited for.
  auto js = JetStream::connect({.servers = {"nats://127.0.0.1:1", "nats://127.0.0.1:2"}});
  ASSERT_FALSE(js);
  EXPECT_EQ(js.error().code, Errc::unavailable);
  EXPECT_NE(js.error().message.find("nats://127.0.0.1:1"), std::string::npos) << js.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(JetStreamConnectionTest, BadOptionsAreInvalidArguments) {
  auto none = JetStream::connect({.servers = {}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
  auto zero = JetStream::connect({.connect_timeout = 0ms});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, Errc::invalid_argument);
}

TEST(JetStreamConnectionTest, PublishesAreAcknowledgedAndDeduplicatedById) {
  test::NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()});
  ASSERT_TRUE(js) << js.error().message;
  EXPECT_TRUE(js->connected());
  ASSERT_TRUE(jetstream_record_sink(*js, {.stream = "events"}));  // creates the stream
  auto first = js->publish("events", "a", {.message_id = "m1"});
  ASSERT_TRUE(first) << first.error().message;
  auto second = js->publish("events", "b");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first + 1);
  auto again = js->publish("events", "a", {.message_id = "m1"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);  // a duplicate: the first one's sequence, nothing stored
}

TEST(JetStreamConnectionTest, APublishNoStreamTakesIsNotFound) {
  test::NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls(), .retry_for = 0ms});
  ASSERT_TRUE(js);
  auto published = js->publish("nowhere", "x");
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error().code, Errc::not_found) << published.error().message;
}

TEST(JetStreamConnectionTest, APublishToTheWrongStreamFails) {
  test::NatsServers servers;
  auto js = JetStream::connect({.servers = servers.urls()});
  ASSERT_TRUE(js);
  ASSERT_TRUE(jetstream_record_sink(*js, {.stream = "events"}));
  auto published = js->publish("events", "x", {.expected_stream = "other"});
  ASSERT_FALSE(published);
}

}  // namespace
