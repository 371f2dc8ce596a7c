// Durable event queues on a real JetStream server: events stored by one engine and run by
// another, retries through naks, failure handling then termination, in-progress marks for long
// handlers, the give-back at shutdown, and bad input.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jetstream_fixture.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_record_sink.hpp"
#include "nats_servers.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

/// What a function saw: each body and how often it ran, and the request ids.
struct Runs {
  std::mutex mutex;
  std::map<std::string, int> count;
  std::map<std::string, std::string> request_id;
  std::atomic<int> total{0};

  void add(const Event& event, const Context& context) {
    std::lock_guard lock(mutex);
    ++count[std::string(event.body())];
    request_id[std::string(event.body())] = context.request_id().to_string();
    total.fetch_add(1);
  }
  int of(const std::string& body) {
    std::lock_guard lock(mutex);
    return count[body];
  }
  std::size_t distinct() {
    std::lock_guard lock(mutex);
    return count.size();
  }
};

/// An engine whose versions' events live in stream "EV" of the fixture's server.
Engine durable_engine(const JetStream& js, JetStreamAsyncQueueConfig config = {},
                      EngineConfig engine = {}) {
  config.stream = "EV";
  auto queues = jetstream_async_queues(js, std::move(config));
  if (!queues) throw std::runtime_error(queues.error().message);
  engine.async_queue = *queues;
  return make_engine(std::move(engine));
}

struct AsyncQueueFixture {
  NatsServers servers;
  JetStream js = JetStream::connect({.servers = servers.urls()}).value();
};

TEST(JetStreamAsyncQueueTest, EventsStoredByAProducerRunInAWorkerWithTheirRequestIds) {
  AsyncQueueFixture f;
  Runs runs;
  std::map<std::string, std::string> ids;
  {
    Engine producer = durable_engine(f.js, {.receive = false});
    ASSERT_TRUE(producer.add_function({.name = "f"}, [&](const Event& e, Context& c) {
      runs.add(e, c);  // never: a producer runs none
      return Response::ok("");
    }));
    for (int i = 0; i < 50; ++i) {
      auto id = producer.invoke_async("f", PayloadView(numbered("e", i)));
      ASSERT_TRUE(id) << id.error().message;
      ids[numbered("e", i)] = id->to_string();
    }
  }
  EXPECT_EQ(runs.total.load(), 0);
  Engine worker = durable_engine(f.js);
  ASSERT_TRUE(worker.add_function({.name = "f"}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    return Response::ok("");
  }));
  ASSERT_TRUE(eventually([&] { return runs.distinct() == 50; }));
  std::lock_guard lock(runs.mutex);
  for (const auto& [body, id] : ids) EXPECT_EQ(runs.request_id[body], id) << body;
}

TEST(JetStreamAsyncQueueTest, TwoWorkersShareTheEventsAndEachRunsOnce) {
  AsyncQueueFixture f;
  auto other_js = JetStream::connect({.servers = f.servers.urls()}).value();
  Runs mine;
  Runs theirs;
  Engine a = durable_engine(f.js);
  Engine b = durable_engine(other_js);
  ASSERT_TRUE(a.add_function({.name = "f"}, [&](const Event& e, Context& c) {
    mine.add(e, c);
    return Response::ok("");
  }));
  ASSERT_TRUE(b.add_function({.name = "f"}, [&](const Event& e, Context& c) {
    theirs.add(e, c);
    return Response::ok("");
  }));
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(a.invoke_async("f", PayloadView(numbered("e", i))));
  ASSERT_TRUE(eventually([&] { return mine.total.load() + theirs.total.load() >= 200; }));
  a.shutdown(5s);
  b.shutdown(5s);
  EXPECT_EQ(mine.total.load() + theirs.total.load(), 200);  // each acked once it ran
  EXPECT_EQ(mine.distinct() + theirs.distinct(), 200u);
}

TEST(JetStreamAsyncQueueTest, AnEventSentThroughAnAliasRunsItsVersionUnderTheAliasConfig) {
  AsyncQueueFixture f;
  Engine engine = durable_engine(f.js);
  std::mutex mutex;
  std::vector<std::string> seen;  // version and qualifier of each run
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&, Context& c) {
    std::lock_guard lock(mutex);
    seen.push_back(std::string(c.function_version()) + " " + std::string(c.invoked_qualifier()));
    return Response::ok("");
  }));
  ASSERT_TRUE(engine.publish_version("f"));
  ASSERT_TRUE(engine.create_alias("f", {.name = "live", .function_version = "1"}));
  std::atomic<int> alias_successes{0};
  AsyncConfig async;
  async.on_success.sink = [&](const InvocationRecord&) { alias_successes.fetch_add(1); };
  ASSERT_TRUE(engine.put_function_event_invoke_config("f:live", async));
  ASSERT_TRUE(engine.invoke_async("f:live", PayloadView(std::string_view("x"))));
  ASSERT_TRUE(eventually([&] { return alias_successes.load() == 1; }));
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "1 live");
  EXPECT_EQ(engine.metrics().find("f", "live")->async_events_received, 1u);
}

TEST(JetStreamAsyncQueueTest, AFailedEventIsRetriedWithItsAttemptCountedThenSucceeds) {
  AsyncQueueFixture f;
  Engine worker = durable_engine(f.js);
  Runs runs;
  std::mutex mutex;
  std::vector<std::string> conditions;
  AsyncConfig async{.maximum_retry_attempts = 2, .retry_delays = {50ms}};
  async.on_success.sink = [&](const InvocationRecord& r) {
    std::lock_guard lock(mutex);
    conditions.emplace_back(r.condition);
  };
  ASSERT_TRUE(worker.add_function({.name = "f", .async = async}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    return runs.of(std::string(e.body())) < 3 ? Response::error("Boom", "try again")
                                              : Response::ok("");
  }));
  ASSERT_TRUE(worker.invoke_async("f", PayloadView(std::string_view("x"))));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !conditions.empty();
  }));
  EXPECT_EQ(runs.of("x"), 3);  // two retries, the third attempt succeeded
  const auto m = worker.metrics().find("f");
  EXPECT_EQ(m->async_retries, 2u);
  // Each delivery counts as received, and each retry left the process with its nak.
  EXPECT_EQ(m->async_events_received, 3u);
  EXPECT_EQ(m->async_events_handed_back, 2u);
  EXPECT_EQ(m->async_events_succeeded, 1u);
  EXPECT_EQ(m->async_pending, 0u);
}

TEST(JetStreamAsyncQueueTest, AnEventThatKeepsFailingGoesToItsJetStreamDeadLetterThenEnds) {
  AsyncQueueFixture f;
  auto dead = jetstream_record_sink(f.js, {.stream = "DLQ"});
  ASSERT_TRUE(dead) << dead.error().message;
  Runs runs;
  {
    Engine worker = durable_engine(f.js);
    AsyncConfig async{.maximum_retry_attempts = 1, .retry_delays = {20ms}};
    async.dead_letter_sink = *dead;
    ASSERT_TRUE(worker.add_function({.name = "f", .async = async}, [&](const Event& e, Context& c) {
      runs.add(e, c);
      return Response::error("Boom", "always");
    }));
    ASSERT_TRUE(worker.invoke_async("f", PayloadView(std::string_view("poison"))));
    const auto letters = read_back(f.js, "DLQ", 1);
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(letters[0].body, "poison");
    EXPECT_EQ(runs.of("poison"), 2);
  }
  // Terminated: a new worker never gets it again.
  Engine again = durable_engine(f.js);
  ASSERT_TRUE(again.add_function({.name = "f"}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    return Response::ok("");
  }));
  EXPECT_FALSE(eventually([&] { return runs.of("poison") > 2; }, 1500ms));
}

TEST(JetStreamAsyncQueueTest, AHandlerLongerThanTheAckWaitKeepsItsEvent) {
  AsyncQueueFixture f;
  Engine worker = durable_engine(f.js, {.ack_wait = 1s});
  Runs runs;
  std::atomic<int> finished{0};
  ASSERT_TRUE(worker.add_function({.name = "f", .timeout = 10s}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    c.sleep_for(2500ms);  // past two ack waits: only in-progress marks keep it
    finished.fetch_add(1);
    return Response::ok("");
  }));
  ASSERT_TRUE(worker.invoke_async("f", PayloadView(std::string_view("slow"))));
  ASSERT_TRUE(eventually([&] { return finished.load() == 1; }));
  EXPECT_FALSE(eventually([&] { return runs.total.load() > 1; }, 1500ms));
}

TEST(JetStreamAsyncQueueTest, ShutdownGivesBackWhatItHeldAtOnceAndWithoutUsingAnAttempt) {
  AsyncQueueFixture f;
  Runs first_runs;
  {
    // Holds up to 16 events (fetched, or throttled behind its one slot) while its first
    // handler runs to its deadline: shutdown must give them back at once (the ack wait is
    // far longer than the test's patience).
    Engine first = durable_engine(f.js, {.ack_wait = 5min, .max_in_flight = 16});
    std::atomic<int> started{0};
    AsyncConfig quick_retry{.maximum_retry_attempts = 1, .retry_delays = {10ms}};
    ASSERT_TRUE(first.add_function(
        {.name = "f", .timeout = 500ms, .reserved_concurrency = 1, .async = quick_retry},
        [&](const Event& e, Context& c) {
          started.fetch_add(1);
          while (c.sleep_for(1ms)) {
          }
          first_runs.add(e, c);
          return Response::ok("");
        }));
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(first.invoke_async("f", PayloadView(numbered("e", i))));
    }
    ASSERT_TRUE(eventually([&] { return started.load() >= 1; }));
    first.shutdown(0s);
  }
  const int ran_first = first_runs.total.load();
  EXPECT_GE(ran_first, 1);
  // The next worker fails every event, with one retry: each one the first did not run gets
  // both its attempts here (a give-back counted as a delivery would leave it one).
  Engine second = durable_engine(f.js, {.ack_wait = 5min});
  Runs second_runs;
  std::atomic<int> dead{0};
  AsyncConfig async{.maximum_retry_attempts = 1, .retry_delays = {10ms}};
  async.dead_letter = [&](const DeadLetter&) { dead.fetch_add(1); };
  ASSERT_TRUE(second.add_function({.name = "f", .async = async}, [&](const Event& e, Context& c) {
    second_runs.add(e, c);
    return Response::error("Boom", "always");
  }));
  ASSERT_TRUE(eventually([&] { return dead.load() == 100; }))
      << dead.load() << " of 100 after the first ran " << ran_first;
  for (int i = 0; i < 100; ++i) {
    const std::string body = numbered("e", i);
    if (first_runs.of(body) == 0) {
      EXPECT_EQ(second_runs.of(body), 2) << body;
    }
  }
}

TEST(JetStreamAsyncQueueTest, EventsWaitingLongerThanTheAckWaitWhileOthersSettleRunOnce) {
  // One slot, 30 events of 100 ms, 20 held at a time: they wait up to 2 s (two ack waits) in
  // this process while settlements come every 100 ms; the marks that keep them must not wait
  // for a quiet moment.
  AsyncQueueFixture f;
  Engine engine =
      durable_engine(f.js, {.ack_wait = 1s, .max_in_flight = 20},
                     {.async_throttle_backoff = 10ms, .async_throttle_backoff_max = 20ms});
  Runs runs;
  ASSERT_TRUE(engine.add_function({.name = "f", .reserved_concurrency = 1},
                                  [&](const Event& e, Context& c) {
                                    c.sleep_for(100ms);
                                    runs.add(e, c);
                                    return Response::ok("");
                                  }));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(engine.invoke_async("f", PayloadView(numbered("e", i))));
  ASSERT_TRUE(eventually([&] { return runs.distinct() == 30; }));
  EXPECT_FALSE(eventually([&] { return runs.total.load() > 30; }, 1500ms));
  EXPECT_EQ(runs.total.load(), 30);
}

TEST(JetStreamAsyncQueueTest, MaxAckPendingHoldsConcurrencyAcrossProcesses) {
  AsyncQueueFixture f;
  auto other_js = JetStream::connect({.servers = f.servers.urls()}).value();
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
  std::atomic<bool> gate_open{false};
  auto handler = [&](const Event&, Context& c) {
    const int now = running.fetch_add(1) + 1;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    while (!gate_open.load()) c.sleep_for(1ms);
    running.fetch_sub(1);
    done.fetch_add(1);
    return Response::ok("");
  };
  Engine a = durable_engine(f.js, {.max_ack_pending = 2});
  Engine b = durable_engine(other_js, {.max_ack_pending = 2});
  ASSERT_TRUE(a.add_function({.name = "f"}, handler));
  ASSERT_TRUE(b.add_function({.name = "f"}, handler));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.invoke_async("f", PayloadView(numbered("e", i))));
  ASSERT_TRUE(eventually([&] { return running.load() == 2; }));
  EXPECT_FALSE(eventually([&] { return running.load() > 2; }, 500ms));
  gate_open.store(true);
  ASSERT_TRUE(eventually([&] { return done.load() == 10; }));
  EXPECT_EQ(most.load(), 2);
}

TEST(JetStreamAsyncQueueTest, AnEventOlderThanItsMaximumAgeGoesToFailureHandling) {
  AsyncQueueFixture f;
  {
    Engine producer = durable_engine(f.js, {.receive = false});
    ASSERT_TRUE(producer.add_function({.name = "f"}, echo));
    ASSERT_TRUE(producer.invoke_async("f", PayloadView(std::string_view("old"))));
  }
  std::this_thread::sleep_for(300ms);  // the event's age, not a synchronisation
  Engine worker = durable_engine(f.js);
  std::mutex mutex;
  std::vector<std::string> codes;
  AsyncConfig async{.maximum_event_age = 200ms};
  async.dead_letter = [&](const DeadLetter& d) {
    std::lock_guard lock(mutex);
    codes.emplace_back(d.error_code);
  };
  Runs runs;
  ASSERT_TRUE(worker.add_function({.name = "f", .async = async}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    return Response::ok("");
  }));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !codes.empty();
  }));
  EXPECT_EQ(codes[0], "EventAgeExceeded");
  EXPECT_EQ(runs.total.load(), 0);
}

TEST(JetStreamAsyncQueueTest, AMessageThatCarriesNoEventIsDroppedAndTheNextRuns) {
  AsyncQueueFixture f;
  Engine worker = durable_engine(f.js);
  Runs runs;
  ASSERT_TRUE(worker.add_function({.name = "f"}, [&](const Event& e, Context& c) {
    runs.add(e, c);
    return Response::ok("");
  }));
  ASSERT_TRUE(f.js.publish("nanofaas.events.f.LATEST", PayloadView(std::string_view("junk"))));
  ASSERT_TRUE(worker.invoke_async("f", PayloadView(std::string_view("real"))));
  ASSERT_TRUE(eventually([&] { return runs.of("real") == 1; }));
  EXPECT_EQ(runs.of("junk"), 0);
}

TEST(JetStreamAsyncQueueTest, ACompletionALargeBodyAndAnUnreachableServerAreClearErrors) {
  AsyncQueueFixture f;
  auto js = JetStream::connect(
                {.servers = f.servers.urls(), .request_timeout = 200ms, .retry_for = 500ms})
                .value();
  Engine engine = durable_engine(js);
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  auto with_completion = engine.invoke_async("f", Payload::copy_of("x"), [](AsyncOutcome&&) {});
  ASSERT_FALSE(with_completion);
  EXPECT_EQ(with_completion.error().code, Errc::invalid_argument);
  // A body the server would refuse (max_payload, 1 MB) is too large, not "unavailable".
  auto large = engine.invoke_async("f", PayloadView(std::string((1u << 20) - 100, 'x')));
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, Errc::request_too_large) << large.error().message;
  f.servers.kill(1);
  auto stored = engine.invoke_async("f", PayloadView(std::string_view("x")));
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().code, Errc::unavailable) << stored.error().message;
}

TEST(JetStreamAsyncQueueTest, ABadConfigurationIsRefused) {
  AsyncQueueFixture f;
  EXPECT_EQ(jetstream_async_queues(f.js, {.stream = "bad name"}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(jetstream_async_queues(f.js, {.subject_prefix = "a.*"}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(jetstream_async_queues(f.js, {.ack_wait = 1ms}).error().code, Errc::invalid_argument);
  EXPECT_EQ(jetstream_async_queues(f.js, {.max_in_flight = 0}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(jetstream_async_queues(f.js, {.stream = "NONE", .create = false}).error().code,
            Errc::not_found);
}

}  // namespace
