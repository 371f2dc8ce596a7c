// Where an asynchronous event's outcome goes: destination functions and queues, dead-letter
// queues, and the backlog spilled at shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/queue.hpp"

#include "async_fixture.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// A message a test received from a queue: its body, and its attributes as "name=value".
struct Message {
  std::string body;
  std::vector<std::string> attributes;
  std::uint32_t chain_depth = 0;
};

/// Receives and deletes every message `queue` has now.
std::vector<Message> receive_all(Queue& queue) {
  std::vector<Message> out;
  auto reader = queue.open({}).value();
  std::vector<Record> records;
  reader->poll(0, 100, records);
  for (const Record& r : records) {
    Message m{std::string(r.body.view()), {}, r.chain_depth};
    for (const RecordAttribute& a : r.attributes) {
      std::string attribute = a.name;
      attribute += '=';
      attribute += a.value;
      m.attributes.push_back(std::move(attribute));
    }
    out.push_back(std::move(m));
  }
  reader->ack(records);
  return out;
}

TEST(AsyncTest, DestinationFunctionReceivesTheRecord) {
  Outcomes audit(1);
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "audit"}, [&](const Event& ev) {
    {
      std::lock_guard lock(audit.mutex);
      audit.records.emplace_back(ev.body());
    }
    audit.done.count_down();
    return Response{};
  }));
  FunctionConfig config{.name = "work"};
  config.async.on_success = {.function = "audit"};
  ASSERT_TRUE(engine.add_function(config, echo));
  ASSERT_TRUE(engine.invoke_async("work", R"("hi")"));
  audit.done.wait();
  EXPECT_EQ(field(audit.records.at(0), "responsePayload"), R"("hi")");
}

TEST(AsyncTest, AQueueDestinationGetsTheInvocationRecord) {
  auto successes = make_queue({.name = "successes"});
  auto failures = make_queue({.name = "failures"});
  auto engine = make_engine();
  FunctionConfig ok{.name = "ok"};
  ok.async.on_success.queue = successes;
  ASSERT_TRUE(engine.add_function(ok, echo));
  FunctionConfig bad{.name = "bad"};
  bad.async.maximum_retry_attempts = 0;
  bad.async.on_failure.queue = failures;
  ASSERT_TRUE(engine.add_function(bad, [](const Event&) { return Response::error("E", "boom"); }));
  const auto ok_id = engine.invoke_async("ok", R"({"n":1})");
  const auto bad_id = engine.invoke_async("bad", R"({"n":2})");
  ASSERT_TRUE(ok_id && bad_id);
  ASSERT_TRUE(test::eventually([&] {
    return successes->approximate_visible() == 1 && failures->approximate_visible() == 1;
  }));
  const auto success = receive_all(*successes);
  const auto failure = receive_all(*failures);
  ASSERT_EQ(success.size(), 1u);
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(field(success[0].body, "requestContext", "condition"), "\"Success\"");
  EXPECT_EQ(field(success[0].body, "requestContext", "requestId"), quoted(ok_id->to_string()));
  EXPECT_EQ(field(success[0].body, "responsePayload", "n"), "1");
  EXPECT_EQ(success[0].chain_depth, 1u);  // its mapping would invoke at depth 2
  EXPECT_EQ(field(failure[0].body, "requestContext", "condition"), "\"RetriesExhausted\"");
  EXPECT_EQ(field(failure[0].body, "requestContext", "requestId"), quoted(bad_id->to_string()));
  EXPECT_EQ(field(failure[0].body, "requestPayload", "n"), "2");
  EXPECT_EQ(field(failure[0].body, "responseContext", "functionError"), "\"Handled\"");
}

TEST(AsyncTest, ADeadLetterQueueGetsTheEventWithLambdasAttributes) {
  auto dlq = make_queue({.name = "dlq"});
  auto engine = make_engine();
  FunctionConfig bad{.name = "bad"};
  bad.async.maximum_retry_attempts = 0;
  bad.async.dead_letter_queue = dlq;
  ASSERT_TRUE(engine.add_function(bad, [](const Event&) { return Response::error("E", "boom"); }));
  const auto id = engine.invoke_async("bad", R"({"order":7})");
  ASSERT_TRUE(id);
  ASSERT_TRUE(test::eventually([&] { return dlq->approximate_visible() == 1; }));
  const auto letters = receive_all(*dlq);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].body, R"({"order":7})");
  std::string request_id = "RequestID=";
  request_id += id->to_string();
  EXPECT_EQ(letters[0].attributes,
            (std::vector<std::string>{request_id, "ErrorCode=200", "ErrorMessage=boom"}));
  const auto m = *engine.metrics().find("bad");
  EXPECT_EQ(m.async_events_failed, 1u);
  EXPECT_EQ(m.async_events_dropped, 1u);
  EXPECT_EQ(m.async_events_discarded, 0u);
  EXPECT_EQ(m.dead_letter_errors, 0u);
}

TEST(AsyncTest, AFullDestinationOrDeadLetterQueueIsCounted) {
  auto successes = make_queue({.name = "successes", .max_messages = 1});
  auto dlq = make_queue({.name = "dlq", .max_messages = 1});
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.maximum_retry_attempts = 0;
  config.async.on_success.queue = successes;
  config.async.dead_letter_queue = dlq;
  ASSERT_TRUE(engine.add_function(config, [](const Event& ev) {
    return ev.body() == "fail" ? Response::error("E", "boom") : Response::ok("{}");
  }));
  for (const char* body : {"ok", "ok", "fail", "fail"}) {
    ASSERT_TRUE(engine.invoke_async("f", std::string_view(body)));
  }
  // An outcome is counted before its record goes out; the refusals are counted after.
  ASSERT_TRUE(test::eventually([&] {
    const auto m = *engine.metrics().find("f");
    return m.destination_delivery_failures == 1 && m.dead_letter_errors == 1;
  }));
  const auto m = *engine.metrics().find("f");
  EXPECT_EQ(m.async_events_succeeded, 2u);
  EXPECT_EQ(m.async_events_failed, 2u);
  EXPECT_EQ(m.async_events_discarded, 0u);  // it had a dead-letter queue; the queue refused
  EXPECT_EQ(successes->approximate_visible(), 1u);
  EXPECT_EQ(dlq->approximate_visible(), 1u);
}

TEST(AsyncTest, AFifoQueueIsRefusedAsADestination) {
  auto fifo = make_queue({.name = "q.fifo", .fifo = true});
  auto engine = make_engine();
  const auto error_of = [&](FunctionConfig config) {
    auto r = engine.add_function(config, echo);
    EXPECT_FALSE(r);
    return r ? Errc{} : r.error().code;
  };
  FunctionConfig success{.name = "a"};
  success.async.on_success.queue = fifo;
  EXPECT_EQ(error_of(success), Errc::invalid_argument);
  FunctionConfig failure{.name = "b"};
  failure.async.on_failure.queue = fifo;
  EXPECT_EQ(error_of(failure), Errc::invalid_argument);
  FunctionConfig dead_letter{.name = "c"};
  dead_letter.async.dead_letter_queue = fifo;
  EXPECT_EQ(error_of(dead_letter), Errc::invalid_argument);
  ASSERT_TRUE(engine.add_function({.name = "d"}, echo));
  AsyncConfig update;
  update.on_failure.queue = fifo;
  EXPECT_FALSE(engine.put_function_event_invoke_config("d", update));
}

TEST(AsyncTest, ShutdownSpillsToTheDeadLetterQueue) {
  auto dlq = make_queue({.name = "dlq"});
  std::atomic<int> ran{0};
  auto engine = make_engine({.shutdown_drain = 0s});
  FunctionConfig config{.name = "later"};
  config.async.retry_delays = {1h};
  config.async.dead_letter_queue = dlq;
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ++ran;
    return Response::error("E", "retry in an hour");
  }));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("later", "{}"));
  ASSERT_TRUE(test::eventually([&] { return ran.load() == 3; }));
  engine.shutdown(0s);
  const auto letters = receive_all(*dlq);
  ASSERT_EQ(letters.size(), 3u);
  for (const Message& m : letters) {
    EXPECT_EQ(m.attributes.at(1), "ErrorCode=Shutdown");
  }
  EXPECT_EQ(engine.metrics().find("later")->async_events_spilled, 3u);
}

TEST(AsyncTest, ShutdownSpillsTheBacklogAndNothingIsUnaccounted) {
  std::atomic<int> spilled{0};
  auto engine =
      make_engine({.workers = 1, .shutdown_drain = 0s, .async_spill = [&](const DeadLetter& d) {
                     EXPECT_EQ(d.error_code, "Shutdown");
                     ++spilled;
                   }});
  FunctionConfig config{.name = "slow"};
  config.async.retry_delays = {1h};
  ASSERT_TRUE(engine.add_function(config, [](const Event& ev) {
    return ev.body() == "fail" ? Response::error("E", "retry later") : Response::ok("ok");
  }));
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(engine.invoke_async("slow", i % 2 ? "fail" : "ok"));
  engine.shutdown(0s);
  const auto m = *engine.metrics().find("slow");
  EXPECT_EQ(m.async_events_received, 5000u);
  EXPECT_EQ(m.async_events_succeeded + m.async_events_failed + m.async_events_spilled, 5000u);
  EXPECT_EQ(m.async_events_spilled, static_cast<std::uint64_t>(spilled.load()));
  EXPECT_GE(m.async_events_spilled, 2500u);  // every failing one waits an hour for its retry
  EXPECT_EQ(m.async_pending, 0u);
  EXPECT_EQ(m.async_events_dropped_by.shutdown, m.async_events_spilled);
  EXPECT_EQ(m.async_events_dropped, m.async_events_failed + m.async_events_spilled);
  EXPECT_EQ(m.async_events_discarded, 0u);  // the spill handler took them
}

}  // namespace
