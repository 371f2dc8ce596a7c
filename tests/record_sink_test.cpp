#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using test::echo;
using test::make_engine;
using test::make_queue;

/// A record as a sink saw it: copies of the fields, valid after the call.
struct SeenRecord {
  std::string condition;
  std::string request_id;
  std::string function_name;
  std::string response_payload;
  std::string function_error;
  std::string json;
  std::vector<std::string> records;
};

/// A user sink that keeps what it gets; `done` opens after `expected` puts.
class CollectingSink final : public RecordSink {
 public:
  explicit CollectingSink(std::ptrdiff_t expected) : done(expected) {}
  Status put(const InvocationRecord& r) override {
    SeenRecord seen{std::string(r.condition),
                    r.request_id.to_string(),
                    std::string(r.function_name),
                    std::string(r.response_payload),
                    std::string(r.function_error),
                    r.json,
                    {}};
    for (const Record& record : r.records) seen.records.emplace_back(record.body.view());
    {
      std::lock_guard lock(mutex);
      records.push_back(std::move(seen));
    }
    done.count_down();
    return {};
  }
  Status put(const DeadLetter& d) override {
    {
      std::lock_guard lock(mutex);
      letters.push_back(d.request_id.to_string() + "|" + std::string(d.function_name) + "|" +
                        std::string(d.error_code) + "|" + std::string(d.error_message) + "|" +
                        std::string(d.payload));
    }
    done.count_down();
    return {};
  }
  std::mutex mutex;
  std::vector<SeenRecord> records;
  std::vector<std::string> letters;
  std::latch done;
};

/// A sink that says no to everything.
class RefusingSink final : public RecordSink {
 public:
  Status put(const InvocationRecord&) override {
    return Unexpected(Error{Errc::unavailable, "broker down"});
  }
  Status put(const DeadLetter&) override {
    return Unexpected(Error{Errc::unavailable, "broker down"});
  }
};

/// A sink that throws.
class ThrowingSink final : public RecordSink {
 public:
  Status put(const InvocationRecord&) override { throw std::runtime_error("record"); }
  Status put(const DeadLetter&) override { throw std::runtime_error("letter"); }
};

/// `a` followed by `b` (built by appending: GCC 12 warns falsely on "a" + std::string).
std::string cat(std::string a, std::string_view b) {
  a += b;
  return a;
}

/// Fails on "fail", echoes anything else.
Response fails_on_fail(const Event& event) {
  return event.body() == "fail" ? Response::error("E", "boom") : Response::ok(event.body());
}

/// The sinks of a test function (null: none).
struct Sinks {
  std::shared_ptr<RecordSink> on_success{};
  std::shared_ptr<RecordSink> on_failure{};
  std::shared_ptr<RecordSink> dead_letter{};
};

/// Adds `name`, which fails on "fail" and is not retried, with `sinks`.
Status add_with_sinks(Engine& engine, std::string name, Sinks sinks) {
  FunctionConfig config{.name = std::move(name)};
  config.async.maximum_retry_attempts = 0;
  config.async.on_success.record_sink = std::move(sinks.on_success);
  config.async.on_failure.record_sink = std::move(sinks.on_failure);
  config.async.dead_letter_sink = std::move(sinks.dead_letter);
  return engine.add_function(config, fails_on_fail);
}

/// Counts completions: they come after the event's destinations and dead letters.
AsyncCompletion count_down(std::latch& latch) {
  return [&latch](AsyncOutcome&&) { latch.count_down(); };
}

TEST(RecordSinkTest, AUserSinkGetsRecordsAndDeadLetters) {
  auto sink = std::make_shared<CollectingSink>(3);  // a success, a failure, a dead letter
  auto engine = make_engine();
  ASSERT_TRUE(
      add_with_sinks(engine, "f", {.on_success = sink, .on_failure = sink, .dead_letter = sink}));
  const auto ok = engine.invoke_async("f", std::string_view(R"({"n":1})"));
  ASSERT_TRUE(ok);
  const auto bad = engine.invoke_async("f", std::string_view("fail"));
  ASSERT_TRUE(bad);
  sink->done.wait();
  std::lock_guard lock(sink->mutex);
  ASSERT_EQ(sink->records.size(), 2u);
  const SeenRecord* success = &sink->records[0];
  const SeenRecord* failure = &sink->records[1];
  if (success->condition != "Success") std::swap(success, failure);
  EXPECT_EQ(success->condition, "Success");
  EXPECT_EQ(success->request_id, ok->to_string());
  EXPECT_EQ(success->function_name, "f");
  EXPECT_EQ(success->response_payload, R"({"n":1})");
  EXPECT_NE(success->json.find(ok->to_string()), std::string::npos);
  EXPECT_EQ(failure->condition, "RetriesExhausted");
  EXPECT_EQ(failure->request_id, bad->to_string());
  EXPECT_EQ(failure->function_error, "Handled");
  ASSERT_EQ(sink->letters.size(), 1u);
  EXPECT_EQ(sink->letters[0], bad->to_string() + "|f|200|boom|fail");
  const auto m = *engine.metrics().find("f");
  EXPECT_EQ(m.destination_delivery_failures, 0u);
  EXPECT_EQ(m.dead_letter_errors, 0u);
  EXPECT_EQ(m.async_events_discarded, 0u);  // the dead-letter sink is a target
}

TEST(RecordSinkTest, ASinkThatRefusesOrThrowsIsCounted) {
  auto refusing = std::make_shared<RefusingSink>();
  auto throwing = std::make_shared<ThrowingSink>();
  auto engine = make_engine();
  ASSERT_TRUE(add_with_sinks(
      engine, "f", {.on_success = refusing, .on_failure = throwing, .dead_letter = refusing}));
  ASSERT_TRUE(add_with_sinks(engine, "g", {.dead_letter = throwing}));
  std::latch done(3);
  ASSERT_TRUE(engine.invoke_async("f", Payload::copy_of("ok"), count_down(done)));
  ASSERT_TRUE(engine.invoke_async("f", Payload::copy_of("fail"), count_down(done)));
  ASSERT_TRUE(engine.invoke_async("g", Payload::copy_of("fail"), count_down(done)));
  done.wait();
  const auto f = *engine.metrics().find("f");
  EXPECT_EQ(f.async_events_succeeded, 1u);
  EXPECT_EQ(f.async_events_failed, 1u);
  EXPECT_EQ(f.destination_delivery_failures, 2u);  // refused on success, threw on failure
  EXPECT_EQ(f.dead_letter_errors, 1u);             // refused
  EXPECT_EQ(f.async_events_discarded, 0u);         // it had targets; they failed
  EXPECT_EQ(engine.metrics().find("g")->dead_letter_errors, 1u);  // threw
}

TEST(RecordSinkTest, ASinkBesideTheOtherTargetsGetsTheSameRecord) {
  auto sink = std::make_shared<CollectingSink>(2);  // the sink's record and the callback's
  auto queue = make_queue({.name = "records"});
  std::string from_callback;
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.on_success.queue = queue;
  config.async.on_success.sink = [&](const InvocationRecord& r) {
    from_callback = r.json;
    sink->done.count_down();
  };
  config.async.on_success.record_sink = sink;
  ASSERT_TRUE(engine.add_function(config, echo));
  ASSERT_TRUE(engine.invoke_async("f", "x"));
  sink->done.wait();
  ASSERT_TRUE(test::eventually([&] { return queue->approximate_visible() == 1; }));
  std::lock_guard lock(sink->mutex);
  ASSERT_EQ(sink->records.size(), 1u);
  EXPECT_EQ(sink->records[0].json, from_callback);
  EXPECT_EQ(engine.metrics().find("f")->destination_delivery_failures, 0u);
}

/// Receives and deletes every message `queue` has now: the body, then "name=value" attributes
/// and the chain depth.
std::vector<std::vector<std::string>> receive_all(Queue& queue) {
  std::vector<std::vector<std::string>> out;
  auto reader = queue.open({}).value();
  std::vector<Record> records;
  reader->poll(0, 100, records);
  for (const Record& r : records) {
    std::vector<std::string> message{std::string(r.body.view())};
    for (const RecordAttribute& a : r.attributes) message.push_back(cat(a.name + '=', a.value));
    message.push_back(cat("depth=", std::to_string(r.chain_depth)));
    out.push_back(std::move(message));
  }
  reader->ack(records);
  return out;
}

TEST(QueueRecordSinkTest, SendsARecordsJsonAndADeadLetterAsLambdasMessage) {
  auto queue = make_queue({.name = "q", .max_messages = 2});
  auto sink = queue_record_sink(queue).value();
  InvocationRecord record;
  record.condition = "Success";
  record.json = R"({"version":"1.0"})";
  ASSERT_TRUE(sink->put(record));
  const RequestId id{};
  const DeadLetter letter{id, "f", "200", "boom", "event"};
  ASSERT_TRUE(sink->put(letter));
  const auto full = sink->put(record);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, Errc::resource_exhausted);  // the queue's bound
  const auto messages = receive_all(*queue);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], (std::vector<std::string>{R"({"version":"1.0"})", "depth=0"}));
  EXPECT_EQ(messages[1],
            (std::vector<std::string>{"event", cat("RequestID=", id.to_string()), "ErrorCode=200",
                                      "ErrorMessage=boom", "depth=0"}));
}

TEST(QueueRecordSinkTest, NoQueueOrAFifoQueueIsRefused) {
  EXPECT_EQ(queue_record_sink(nullptr).error().code, Errc::invalid_argument);
  auto fifo = make_queue({.name = "q.fifo", .fifo = true});
  EXPECT_EQ(queue_record_sink(fifo).error().code, Errc::invalid_argument);
}

TEST(QueueRecordSinkTest, AsTargetsItSendsWhatTheQueueFieldsSend) {
  auto records = make_queue({.name = "records"});
  auto letters = make_queue({.name = "letters"});
  auto engine = make_engine();
  ASSERT_TRUE(add_with_sinks(engine, "f",
                             {.on_success = queue_record_sink(records).value(),
                              .dead_letter = queue_record_sink(letters).value()}));
  std::latch done(2);
  const auto ok = engine.invoke_async("f", Payload::copy_of("ok"), count_down(done));
  const auto bad = engine.invoke_async("f", Payload::copy_of("fail"), count_down(done));
  ASSERT_TRUE(ok && bad);
  done.wait();
  const auto success = receive_all(*records);
  ASSERT_EQ(success.size(), 1u);
  EXPECT_NE(success[0][0].find(R"("condition":"Success")"), std::string::npos);
  EXPECT_NE(success[0][0].find(ok->to_string()), std::string::npos);
  EXPECT_EQ(success[0][1], "depth=1");  // the record continues the event's chain
  const auto letter = receive_all(*letters);
  ASSERT_EQ(letter.size(), 1u);
  EXPECT_EQ(letter[0][0], "fail");
  EXPECT_EQ(letter[0][1], cat("RequestID=", bad->to_string()));
  EXPECT_EQ(letter[0][2], "ErrorCode=200");
  EXPECT_EQ(letter[0][3], "ErrorMessage=boom");
}

TEST(RecordSinkTest, AStreamMappingsOnFailureSinkGetsTheSkippedRecords) {
  auto sink = std::make_shared<CollectingSink>(1);
  auto engine = make_engine();
  const std::string uuid = test::map_poison_record(engine, {.record_sink = sink});
  sink->done.wait();
  std::lock_guard lock(sink->mutex);
  ASSERT_EQ(sink->records.size(), 1u);
  EXPECT_EQ(sink->records[0].condition, "RetryAttemptsExhausted");
  EXPECT_EQ(sink->records[0].records, std::vector<std::string>{"poison"});
  EXPECT_EQ(engine.event_source_mapping_metrics(uuid)->destination_delivery_failures, 0u);
}

}  // namespace
