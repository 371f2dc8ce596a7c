#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/fiber/future.hpp>

#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::echo;
using test::make_engine;
using test::make_queue;

/// Collects records and dead letters; `done` opens after `expected` outcomes.
struct Outcomes {
  explicit Outcomes(std::ptrdiff_t expected) : done(expected) {}
  std::mutex mutex;
  std::vector<std::string> records;
  std::vector<std::string> letters;
  std::latch done;
  Destination sink() {
    return {.sink = [this](const InvocationRecord& r) {
      {
        std::lock_guard lock(mutex);
        records.push_back(r.json);
      }
      done.count_down();
    }};
  }
  std::function<void(const DeadLetter&)> dead_letter() {
    return [this](const DeadLetter& d) {
      {
        std::lock_guard lock(mutex);
        letters.push_back(d.request_id.to_string() + "|" + std::string(d.error_code) + "|" +
                          std::string(d.error_message) + "|" + std::string(d.payload));
      }
      done.count_down();
    };
  }
};

/// `s` in double quotes, as a JSON string without escapes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

std::string field(const std::string& json, const char* a, const char* b = nullptr) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  auto doc = parser.parse(padded);
  auto v = b == nullptr ? doc[a] : doc[a][b];
  return simdjson::minify(v);
}

TEST(AsyncTest, AcceptedEventRunsAndSuccessRecordHasLambdasShape) {
  Outcomes outcomes(1);
  auto engine = make_engine();
  FunctionConfig config{.name = "echo"};
  config.async.on_success = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, echo));
  auto id = engine.invoke_async("echo", std::string_view(R"({"order":7})"));
  ASSERT_TRUE(id);
  outcomes.done.wait();
  const std::string& r = outcomes.records.at(0);
  EXPECT_EQ(field(r, "version"), "\"1.0\"");
  EXPECT_EQ(field(r, "requestContext", "requestId"), quoted(id->to_string()));
  EXPECT_EQ(field(r, "requestContext", "condition"), "\"Success\"");
  EXPECT_EQ(field(r, "requestContext", "approximateInvokeCount"), "1");
  EXPECT_NE(field(r, "requestContext", "functionArn").find("function:echo:$LATEST"),
            std::string::npos);
  EXPECT_EQ(field(r, "requestPayload"), R"({"order":7})");
  EXPECT_EQ(field(r, "responsePayload"), R"({"order":7})");
  EXPECT_EQ(field(r, "responseContext", "statusCode"), "200");
  EXPECT_EQ(field(r, "responseContext", "executedVersion"), "\"$LATEST\"");
  EXPECT_FALSE(field(r, "timestamp").empty());
  engine.shutdown(1s);
  const auto m = engine.metrics().find("echo");
  EXPECT_EQ(m->async_events_received, 1u);
  EXPECT_EQ(m->async_events_succeeded, 1u);
  EXPECT_EQ(m->async_pending, 0u);
}

TEST(AsyncTest, BadCallsAreRefusedAtOnce) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  EXPECT_EQ(engine.invoke_async("missing", "x").error().code, Errc::not_found);
  EXPECT_EQ(engine.invoke_async("echo", std::string((1u << 20) + 1, 'x')).error().code,
            Errc::request_too_large);
  EXPECT_TRUE(engine.invoke_async("echo", std::string(1u << 20, 'x')));
  engine.shutdown(1s);
  EXPECT_EQ(engine.invoke_async("echo", "x").error().code, Errc::unavailable);
}

TEST(AsyncTest, FullQueueRefusesNewEvents) {
  auto engine = make_engine({.workers = 1});
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 3;
  ASSERT_TRUE(engine.add_function(config, echo));
  test::WorkerHold hold(engine);  // nothing is pumped meanwhile
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f", "x"));
  EXPECT_EQ(engine.invoke_async("f", "x").error().code, Errc::resource_exhausted);
  hold.release();
  engine.shutdown(5s);
  EXPECT_EQ(engine.metrics().find("f")->async_events_succeeded, 3u);
}

TEST(AsyncTest, EventsWaitingForARetryCountAgainstTheQueueBound) {
  test::ManualClock clock;
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 3;
  config.async.maximum_retry_attempts = 1;
  config.async.retry_delays = {1min};
  ASSERT_TRUE(engine.add_function(
      config, [](const Event&) { return Response::error("Failed", "always"); }));
  const auto metrics = [&] { return *engine.metrics().find("f"); };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f", "x"));
  // All three failed and wait a minute for their retry: the queue is empty, yet full.
  ASSERT_TRUE(test::eventually([&] { return metrics().async_retries == 3; }));
  auto refused = engine.invoke_async("f", "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::resource_exhausted);
  clock.advance(1min);  // retried, and failed for good
  ASSERT_TRUE(test::eventually([&] { return metrics().async_events_failed == 3; }));
  EXPECT_TRUE(engine.invoke_async("f", "x"));
}

TEST(AsyncTest, RetriesAreSpacedByTheConfiguredDelaysThenFailureHandlingRuns) {
  test::ManualClock clock;
  Outcomes outcomes(2);  // the on-failure record and the dead letter
  std::mutex mutex;
  std::vector<Clock::time_point> attempts;
  std::latch first(1), second(1), third(1);
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "flaky"};
  config.async.retry_delays = {1min, 2min};
  config.async.on_failure = outcomes.sink();
  config.async.dead_letter = outcomes.dead_letter();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex);
      attempts.push_back(clock.now());
      n = attempts.size();
    }
    (n == 1 ? first : n == 2 ? second : third).count_down();
    return Response::error("Flaky", "always fails");
  }));
  const auto t0 = clock.now();
  auto id = engine.invoke_async("flaky", "{}");
  ASSERT_TRUE(id);
  // Each retry is scheduled after the handler returns: wait for it before moving the clock.
  const auto retries = [&] { return engine.metrics().find("flaky")->async_retries; };
  first.wait();
  ASSERT_TRUE(test::eventually([&] { return retries() == 1; }));
  clock.advance(30s);  // too early for the first retry
  clock.advance(30s);
  second.wait();
  ASSERT_TRUE(test::eventually([&] { return retries() == 2; }));
  clock.advance(2min);
  third.wait();
  outcomes.done.wait();
  std::lock_guard lock(mutex);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0], t0);
  EXPECT_GE(attempts[1] - attempts[0], 1min);
  EXPECT_GE(attempts[2] - attempts[1], 2min);
  const std::string& r = outcomes.records.at(0);
  EXPECT_EQ(field(r, "requestContext", "condition"), "\"RetriesExhausted\"");
  EXPECT_EQ(field(r, "requestContext", "approximateInvokeCount"), "3");
  EXPECT_EQ(field(r, "responseContext", "functionError"), "\"Handled\"");
  EXPECT_EQ(field(r, "responsePayload"), R"({"errorMessage":"always fails","errorType":"Flaky"})");
  EXPECT_EQ(outcomes.letters.at(0), id->to_string() + "|200|always fails|{}");
}

TEST(AsyncTest, ZeroRetriesGoesStraightToFailureHandling) {
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "once"};
  config.async.maximum_retry_attempts = 0;
  config.async.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) -> Response {
    ++runs;
    throw std::runtime_error("boom");
  }));
  ASSERT_TRUE(engine.invoke_async("once", "x"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(field(outcomes.records.at(0), "responseContext", "functionError"), "\"Unhandled\"");
  const auto m = *engine.metrics().find("once");
  EXPECT_EQ(m.async_events_dropped, 1u);  // Lambda counts it although a destination got it
  EXPECT_EQ(m.async_events_dropped_by.retries_exhausted, 1u);
  EXPECT_EQ(m.async_events_discarded, 0u);
}

TEST(AsyncTest, AFailedEventWithNoTargetIsCountedAsDiscarded) {
  std::latch ran(1);
  auto engine = make_engine();
  FunctionConfig config{.name = "alone"};
  config.async.maximum_retry_attempts = 0;
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ran.count_down();
    return Response::error("E", "nobody hears this");
  }));
  ASSERT_TRUE(engine.invoke_async("alone", "x"));
  ran.wait();
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("alone")->async_pending == 0; }));
  const auto m = *engine.metrics().find("alone");
  EXPECT_EQ(m.async_events_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.retries_exhausted, 1u);
  EXPECT_EQ(m.async_events_discarded, 1u);
}

TEST(AsyncTest, EventOlderThanMaximumAgeIsNotRunAgain) {
  test::ManualClock clock;
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "old"};
  config.async.maximum_event_age = 90s;
  config.async.on_failure = outcomes.sink();
  std::latch ran(1);
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ++runs;
    ran.count_down();
    return Response::error("E", "fails");
  }));
  ASSERT_TRUE(engine.invoke_async("old", "x"));
  ran.wait();
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("old")->async_retries == 1; }));
  clock.advance(1min);  // the first retry is due...
  clock.advance(1min);  // ...but by now the event is 2 minutes old
  outcomes.done.wait();
  EXPECT_EQ(field(outcomes.records.at(0), "requestContext", "condition"), "\"EventAgeExceeded\"");
  EXPECT_LE(runs.load(), 2);
  const auto m = *engine.metrics().find("old");
  EXPECT_EQ(m.async_events_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.event_age_exceeded, 1u);
}

TEST(AsyncTest, ReservedZeroSendsEventsToFailureHandling) {
  Outcomes outcomes(3);
  auto engine = make_engine();
  FunctionConfig config{.name = "off", .reserved_concurrency = 0};
  config.async.dead_letter = outcomes.dead_letter();
  std::atomic<int> runs{0};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    ++runs;
    return Response{};
  }));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("off", "x"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 0);
  EXPECT_NE(outcomes.letters.at(0).find("|429|"), std::string::npos);
  const auto m = *engine.metrics().find("off");
  EXPECT_EQ(m.async_events_dropped, 3u);
  EXPECT_EQ(m.async_events_dropped_by.throttled, 3u);
}

TEST(AsyncTest, ThrottledEventStaysQueuedAndRunsAfterBackoff) {
  test::ManualClock clock;
  Outcomes outcomes(2);
  std::latch started(1);
  std::latch release(1);
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "one", .reserved_concurrency = 1};
  config.async.on_success = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "hold") {
      started.count_down();
      while (!release.try_wait()) ctx.sleep_for(100us);
    }
    return Response::ok(ev.body());
  }));
  ASSERT_TRUE(engine.invoke_async("one", "hold"));
  started.wait();
  ASSERT_TRUE(engine.invoke_async("one", "next"));  // throttled by the reservation of 1
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().find("one")->async_throttled > 0; }));
  release.count_down();
  // The throttled event waits for its backoff (1 s) on the engine's clock.
  clock.advance(2s);
  outcomes.done.wait();
  EXPECT_EQ(engine.metrics().find("one")->async_events_succeeded, 2u);
  EXPECT_GE(engine.metrics().find("one")->throttles, 1u);
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

TEST(AsyncTest, RecursiveLoopIsStoppedAtExactlySixteen) {
  Outcomes outcomes(1);
  std::atomic<int> runs{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "loop"};
  config.async.dead_letter = outcomes.dead_letter();
  ASSERT_TRUE(engine.add_function(config, [&](const Event&, Context& ctx) {
    ++runs;
    EXPECT_LE(ctx.depth(), 16u);
    (void)ctx.invoke_async("loop", "again");  // calls itself forever
    return Response{};
  }));
  ASSERT_TRUE(engine.invoke_async("loop", "start"));
  outcomes.done.wait();
  EXPECT_EQ(runs.load(), 16);
  EXPECT_NE(outcomes.letters.at(0).find("|RecursiveInvocationException|"), std::string::npos);
  const auto m = *engine.metrics().find("loop");
  EXPECT_EQ(m.recursive_invocations_dropped, 1u);
  EXPECT_EQ(m.async_events_dropped_by.recursive_loop, 1u);
}

TEST(AsyncTest, SynchronousRecursionIsStoppedUnlessAllowed) {
  auto engine = make_engine({.workers = 1});
  auto recurse = [](const Event& ev, Context& ctx) {
    const int n = std::stoi(std::string(ev.body()));
    if (n == 0) return Response::ok(std::to_string(ctx.depth()));
    auto r = ctx.invoke(ctx.function_name(), std::to_string(n - 1));
    if (!r) return Response::error(std::string(lambda_name(r.error().code)), r.error().message);
    if (r->function_error) {
      return Response::error(r->function_error->error_type, r->function_error->error_message);
    }
    return Response::ok(std::move(r->payload));
  };
  ASSERT_TRUE(engine.add_function({.name = "stop"}, recurse));
  ASSERT_TRUE(
      engine.add_function({.name = "free", .recursive_loop = RecursiveLoop::allow}, recurse));
  EXPECT_EQ(engine.invoke("stop", "15")->payload.view(), "16");  // 16 deep is fine
  auto deep = engine.invoke("stop", "16");                       // the 17th is stopped
  ASSERT_TRUE(deep->function_error);
  EXPECT_EQ(deep->function_error->error_type, "RecursiveInvocationException");
  EXPECT_EQ(engine.invoke("free", "20")->payload.view(), "21");
  EXPECT_EQ(engine.metrics().find("stop")->recursive_invocations_dropped, 1u);
}

TEST(AsyncTest, BacklogsOfManyFunctionsAllDrain) {
  // One function's backlog must not keep another's waiting: the dispatch window is shared
  // first come, first served.
  constexpr int functions = 300;
  constexpr int per_function = 500;
  std::latch done(functions * per_function);
  auto engine = make_engine();
  for (int f = 0; f < functions; ++f) {
    ASSERT_TRUE(engine.add_function({.name = test::numbered("f", f)}, [&](const Event&) {
      done.count_down();
      return Response{};
    }));
  }
  for (int i = 0; i < per_function; ++i) {
    for (int f = 0; f < functions; ++f) {
      ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), "{}"));
    }
  }
  done.wait();
  engine.shutdown(1s);
  for (const auto& m : engine.metrics().functions) {
    EXPECT_EQ(m.async_events_succeeded, static_cast<std::uint64_t>(per_function));
    EXPECT_EQ(m.async_throttled, 0u);
  }
}

TEST(AsyncTest, TenThousandFunctionsWithShortBacklogsAllDrain) {
  // Environments that drain their own version's queue can leave a version served from the
  // window's waiting list with nothing to run: its place must pass on, or the rest stall.
  // (A thousand functions in a sanitizer build: still far more than the window of 128.)
  constexpr int functions = 10000 / test::sanitizer_divisor;
  constexpr int per_function = 20;
  for (int round = 0; round < 2; ++round) {
    std::atomic<int> done{0};
    auto engine = make_engine();
    for (int f = 0; f < functions; ++f) {
      ASSERT_TRUE(engine.add_function({.name = test::numbered("f", f)}, [&](const Event&) {
        done.fetch_add(1, std::memory_order_relaxed);
        return Response{};
      }));
    }
    for (int i = 0; i < per_function; ++i) {
      for (int f = 0; f < functions; ++f) {
        ASSERT_TRUE(engine.invoke_async(test::numbered("f", f), Payload()));
      }
    }
    ASSERT_TRUE(test::eventually([&] { return done.load() == functions * per_function; }, 40s))
        << done.load() << " of " << functions * per_function << " ran";
  }
}

TEST(AsyncTest, StressConservesEveryEvent) {
  constexpr int events = 1'000'000 / test::sanitizer_divisor;
  std::atomic<int> successes{0};
  std::atomic<int> failures{0};
  std::latch done(events);
  auto engine = make_engine();
  FunctionConfig config{.name = "chaos", .timeout = 5ms};
  config.async.retry_delays = {0ns};
  config.async.on_success = {.sink = [&](const InvocationRecord&) {
    ++successes;
    done.count_down();
  }};
  config.async.on_failure = {.sink = [&](const InvocationRecord&) {
    ++failures;
    done.count_down();
  }};
  ASSERT_TRUE(engine.add_function(config, [](const Event& ev, Context& ctx) {
    const auto id = ctx.request_id().low;
    if (id % 7 == 0) return Response::error("Random", "fails");
    if (id % 997 == 0) ctx.sleep_for(10ms);  // times out
    (void)ev;
    return Response{};
  }));
  std::vector<std::thread> producers;
  for (int t = 0; t < 2; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < events / 2; ++i) {
        while (!engine.invoke_async("chaos", "{}")) std::this_thread::yield();  // queue full
      }
    });
  }
  for (auto& p : producers) p.join();
  done.wait();
  engine.shutdown(1s);
  const auto m = *engine.metrics().find("chaos");
  EXPECT_EQ(m.async_events_received, static_cast<std::uint64_t>(events));
  EXPECT_EQ(m.async_events_succeeded, static_cast<std::uint64_t>(successes.load()));
  EXPECT_EQ(m.async_events_failed, static_cast<std::uint64_t>(failures.load()));
  EXPECT_EQ(m.async_events_succeeded + m.async_events_failed, static_cast<std::uint64_t>(events));
  EXPECT_EQ(m.async_events_dropped, m.async_events_failed);
  EXPECT_GT(m.async_retries, 0u);
  EXPECT_GT(m.timeouts, 0u);
  EXPECT_EQ(m.async_pending, 0u);
}

TEST(AsyncConfigTest, VersionsAndAliasesHaveTheirOwnEventInvokeConfig) {
  Outcomes outcomes(2);
  auto engine = make_engine();
  FunctionConfig config{.name = "f"};
  config.async.maximum_retry_attempts = 0;
  std::atomic<int> calls{0};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    calls.fetch_add(1);
    return Response::error("E", "fails");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  // The alias sends failures to its own sink and retries once.
  AsyncConfig alias_config;
  alias_config.maximum_retry_attempts = 1;
  alias_config.retry_delays = {0ns};
  alias_config.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.put_function_event_invoke_config("f:live", alias_config));
  auto read = engine.get_function_event_invoke_config("f:live");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->maximum_retry_attempts, 1u);
  EXPECT_EQ(engine.get_function_event_invoke_config("f:1")->maximum_retry_attempts, 0u);
  // Updating the alias keeps its configuration.
  ASSERT_TRUE(engine.update_alias("f", {.name = "live", .function_version = "1"}));
  ASSERT_TRUE(engine.invoke_async("f:live", Payload::copy_of("a")));
  // Version 1 itself keeps the function's: no retry, and its own failure sink.
  AsyncConfig version_config;
  version_config.maximum_retry_attempts = 0;
  version_config.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.put_function_event_invoke_config("f:1", version_config));
  ASSERT_TRUE(engine.invoke_async("f:1", Payload::copy_of("b")));
  outcomes.done.wait();
  EXPECT_EQ(calls.load(), 3);  // "a": call + 1 retry; "b": one call
  std::lock_guard lock(outcomes.mutex);
  EXPECT_EQ(outcomes.records.size(), 2u);
  EXPECT_EQ(engine.put_function_event_invoke_config("f:nope", {}).error().code, Errc::not_found);
  AsyncConfig bad;
  bad.maximum_retry_attempts = 3;
  EXPECT_EQ(engine.put_function_event_invoke_config("f", bad).error().code, Errc::invalid_argument);
}

TEST(AsyncTest, ABacklogDoesNotStarveAnotherFunctionsEvents) {
  // Function a's backlog fills the async window; b's event must get the next free place,
  // not wait for a's whole queue to drain. The worker is held while both are queued, so the
  // backlog is whole when b's event arrives however fast the queueing was (a sanitizer build
  // queues more slowly than a drains).
  constexpr int backlog = 20000;
  std::atomic<int> a_done{0};
  std::atomic<int> a_done_when_b_ran{-1};
  std::latch b_ran(1);
  auto engine = make_engine({.workers = 1});
  FunctionConfig a{.name = "a"};
  a.async.max_queue_depth = backlog;
  ASSERT_TRUE(engine.add_function(a, [&](const Event&, Context& ctx) {
    ctx.sleep_for(1ms);
    a_done.fetch_add(1);
    return Response();
  }));
  ASSERT_TRUE(engine.add_function({.name = "b", .reserved_concurrency = 10u}, [&](const Event&) {
    a_done_when_b_ran.store(a_done.load());
    b_ran.count_down();
    return Response();
  }));
  test::WorkerHold hold(engine);  // nothing is pumped meanwhile
  for (int i = 0; i < backlog; ++i) ASSERT_TRUE(engine.invoke_async("a", Payload()));
  ASSERT_TRUE(engine.invoke_async("b", Payload()));
  hold.release();
  b_ran.wait();
  // The window (64 places on one worker) is full of a's events when b's is pumped; b's takes
  // the first place one of them frees.
  EXPECT_LT(a_done_when_b_ran.load(), backlog / 2);
  engine.shutdown(0ns);
}

/// Opens a latch once: when asked, or at the end of the scope at the latest, so that a failed
/// assertion never leaves a handler waiting on it (the engine's shutdown would wait forever).
class Gate {
 public:
  ~Gate() { open(); }
  void open() {
    if (!opened_.exchange(true)) latch_.count_down();
  }
  void wait() { latch_.wait(); }

 private:
  std::latch latch_{1};
  std::atomic<bool> opened_{false};
};

TEST(AsyncTest, EventsTakenByADiscardedEnvironmentStillRun) {
  // One worker. The first event holds the worker's thread until the backlog is queued, so
  // its environment then drains the backlog, taking several events at a time after a quick
  // one. The backlog's second event times out: that environment is discarded holding events
  // it took and had not run, and they must still run (or the outcomes never add up).
  constexpr int backlog = 100;
  Outcomes outcomes(backlog + 1);
  Gate queued;
  auto engine = make_engine({.workers = 1});
  FunctionConfig config{.name = "drain", .timeout = 200ms};
  config.async.maximum_retry_attempts = 0;
  config.async.on_success = outcomes.sink();
  config.async.on_failure = outcomes.sink();
  ASSERT_TRUE(engine.add_function(config, [&](const Event& ev, Context& ctx) {
    if (ev.body() == "hold") queued.wait();
    if (ev.body() == "slow") ctx.sleep_for(250ms);  // past the timeout
    return Response();
  }));
  ASSERT_TRUE(engine.invoke_async("drain", "hold"));
  for (int i = 0; i < backlog; ++i) {
    ASSERT_TRUE(engine.invoke_async("drain", i == 1 ? "slow" : "fast"));
  }
  queued.open();
  ASSERT_TRUE(test::eventually([&] { return outcomes.done.try_wait(); }));
  const auto m = *engine.metrics().find("drain");
  EXPECT_EQ(m.async_events_succeeded + m.async_events_failed,
            static_cast<std::uint64_t>(backlog + 1));
  EXPECT_GE(m.timeouts, 1u);
  EXPECT_EQ(m.async_pending, 0u);
}

TEST(AsyncTest, EventsHeldBehindASuspendedHandlerRunMeanwhile) {
  // One worker. The first event holds the worker's thread until the backlog is queued, so
  // its environment then drains the backlog, taking several events at a time after a quick
  // one. One of the events it takes together waits on its fiber until every other event has
  // run: the events it took along must run meanwhile, in another environment, not after it.
  constexpr int fast_events = 30;
  for (int round = 0; round < 20; ++round) {
    Gate queued;
    std::atomic<int> fast_done{0};
    boost::fibers::promise<void> all_fast_ran;
    std::atomic<bool> waited_in_vain{false};
    auto engine = make_engine({.workers = 1});
    FunctionConfig config{.name = "held", .timeout = 10s};
    config.async.maximum_retry_attempts = 0;
    ASSERT_TRUE(engine.add_function(config, [&](const Event& ev) {
      if (ev.body() == "hold") {
        queued.wait();
      } else if (ev.body() == "wait") {
        if (all_fast_ran.get_future().wait_for(2s) != boost::fibers::future_status::ready) {
          waited_in_vain = true;
        }
      } else if (fast_done.fetch_add(1) + 1 == fast_events) {
        all_fast_ran.set_value();
      }
      return Response();
    }));
    ASSERT_TRUE(engine.invoke_async("held", "hold"));
    for (int i = 0; i <= fast_events; ++i) {
      ASSERT_TRUE(engine.invoke_async("held", i == 3 ? "wait" : "fast"));
    }
    queued.open();
    ASSERT_TRUE(test::eventually(
        [&] { return engine.metrics().find("held")->async_events_succeeded == fast_events + 2; }));
    ASSERT_FALSE(waited_in_vain.load()) << "round " << round;
    engine.shutdown(0ns);
  }
}

TEST(AsyncTest, ALoweredReservationHoldsWhileABacklogDrains) {
  // Two environments drain one function's backlog (one worker; handlers sleep on their
  // fibers). The first two events wait until the function's reservation has dropped from 2
  // to 1; from then on, once those two have ended, no two of its events may run at once,
  // although each environment would happily go on with the next queued event in its place.
  for (int round = 0; round < 20; ++round) {
    test::ManualClock clock;  // throttled events wait for it
    std::atomic<int> running{0};
    std::atomic<int> started_after{0};
    std::atomic<bool> lowered{false};
    std::atomic<bool> settled{false};
    std::atomic<int> overlaps{0};
    auto engine = make_engine({.workers = 1, .clock = &clock});
    FunctionConfig config{.name = "capped", .reserved_concurrency = 2u};
    config.async.max_queue_depth = 10000;
    ASSERT_TRUE(engine.add_function(config, [&](const Event&, Context& ctx) {
      if (running.fetch_add(1) + 1 > 1 && settled.load()) overlaps.fetch_add(1);
      if (lowered.load()) {
        started_after.fetch_add(1);
      } else {
        while (!lowered.load()) ctx.sleep_for(50us);
      }
      ctx.sleep_for(100us);
      running.fetch_sub(1);
      return Response();
    }));
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(engine.invoke_async("capped", "{}"));
    ASSERT_TRUE(test::eventually([&] { return running.load() == 2; }));
    ASSERT_TRUE(engine.put_function_concurrency("capped", 1));
    lowered = true;
    // The two waiting events end before either environment starts another, so the second
    // start after the change already runs alone; settle after two to be sure.
    ASSERT_TRUE(test::eventually([&] { return started_after.load() >= 2; }));
    settled = true;
    ASSERT_TRUE(test::eventually([&] { return started_after.load() >= 10; }));
    EXPECT_EQ(overlaps.load(), 0) << "round " << round;
    engine.shutdown(0ns);
  }
}

/// Waits for completion outcomes.
struct Completions {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<AsyncOutcome> outcomes;
  AsyncCompletion callback() {
    return [this](AsyncOutcome&& o) {
      std::lock_guard lock(mutex);
      outcomes.push_back(std::move(o));
      changed.notify_all();
    };
  }
  bool wait(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, [&] { return outcomes.size() >= n; });
  }
};

TEST(AsyncCompletionTest, SuccessHandsTheResponseToTheCallback) {
  Completions done;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto id = engine.invoke_async("echo", Payload::copy_of("hello"), done.callback());
  ASSERT_TRUE(id);
  ASSERT_TRUE(done.wait(1));
  const AsyncOutcome& o = done.outcomes[0];
  EXPECT_EQ(o.request_id, *id);
  EXPECT_EQ(o.condition, "Success");
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->payload.view(), "hello");
  EXPECT_EQ(o.result->executed_version, "$LATEST");
}

TEST(AsyncCompletionTest, RetriesExhaustedHandsTheLastFunctionError) {
  Completions done;
  std::atomic<int> calls{0};
  auto engine = make_engine();
  FunctionConfig config{.name = "fails"};
  config.async.retry_delays = {0ns};
  ASSERT_TRUE(engine.add_function(config, [&](const Event&) {
    calls.fetch_add(1);
    return Response::error("Boom", "always");
  }));
  ASSERT_TRUE(engine.invoke_async("fails", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(done.wait(1));
  EXPECT_EQ(calls.load(), 3);  // the call and two retries, then the outcome once
  const AsyncOutcome& o = done.outcomes[0];
  EXPECT_EQ(o.condition, "RetriesExhausted");
  ASSERT_TRUE(o.result);
  ASSERT_TRUE(o.result->function_error);
  EXPECT_EQ(o.result->function_error->error_type, "Boom");
}

TEST(AsyncCompletionTest, EventsThatNeverRunGetAnEngineError) {
  Completions done;
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "closed", .reserved_concurrency = 0u}, echo));
  ASSERT_TRUE(engine.invoke_async("closed", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(done.wait(1));
  ASSERT_FALSE(done.outcomes[0].result);
  EXPECT_EQ(done.outcomes[0].result.error().code, Errc::too_many_requests);
  // Refused calls never call back.
  EXPECT_FALSE(engine.invoke_async("missing", Payload::copy_of("x"), done.callback()));
  EXPECT_EQ(done.outcomes.size(), 1u);
}

TEST(AsyncCompletionTest, SpilledEventsAreToldTheEngineShutDown) {
  Completions done;
  test::ManualClock clock;
  auto engine = make_engine({.clock = &clock});
  FunctionConfig config{.name = "fails"};
  config.async.retry_delays = {1h};
  ASSERT_TRUE(engine.add_function(config, [](const Event&) { return Response::error("E", "m"); }));
  ASSERT_TRUE(engine.invoke_async("fails", Payload::copy_of("x"), done.callback()));
  ASSERT_TRUE(test::eventually([&] { return engine.metrics().functions[0].async_retries == 1; }));
  engine.shutdown(0ns);
  ASSERT_TRUE(done.wait(1));
  EXPECT_EQ(done.outcomes[0].condition, "Shutdown");
  EXPECT_EQ(done.outcomes[0].result.error().code, Errc::unavailable);
}

TEST(AsyncCompletionTest, AHandlerWaitsForAnAsyncResultOnAFiberFuture) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  ASSERT_TRUE(engine.add_function({.name = "caller"}, [&](const Event&, Context&) {
    boost::fibers::promise<std::string> promise;
    auto future = promise.get_future();
    auto id = engine.invoke_async(
        "echo", Payload::copy_of("via future"),
        [&promise](AsyncOutcome&& o) { promise.set_value(std::string(o.result->payload.view())); });
    if (!id) return Response::error("Refused", id.error().message);
    return Response::ok(future.get());  // suspends this fiber only
  }));
  for (int i = 0; i < 200; ++i) {
    auto r = engine.invoke("caller", PayloadView());
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << r->function_error->error_message;
    EXPECT_EQ(r->payload.view(), "via future");
  }
}

}  // namespace
