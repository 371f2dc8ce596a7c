#include "nanofaas/load_generator.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nanofaas/nanofaas.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::Engine;
using nanofaas::Errc;
using nanofaas::InvocationMode;
using nanofaas::LoadOutcome;
using nanofaas::LoadReport;
using nanofaas::LoadSpec;
using nanofaas::LoadTicket;

/// A clock that moves `step` forward on every read, and jumps when told: schedules and
/// latencies become exact, with no waiting.
class SteppingClock : public nanofaas::Clock {
 public:
  explicit SteppingClock(std::chrono::nanoseconds step) : step_(step.count()) {}
  [[nodiscard]] time_point now() const noexcept override {
    return time_point(std::chrono::nanoseconds(ns_.fetch_add(step_) + step_));
  }
  void advance(std::chrono::nanoseconds d) noexcept { ns_.fetch_add(d.count()); }

 private:
  std::int64_t step_;
  mutable std::atomic<std::int64_t> ns_{1'000'000'000};
};

Engine echo_engine() {
  auto engine = Engine::create({.workers = 2}).value();
  EXPECT_TRUE(engine.add_function({.name = "echo"}, [](const nanofaas::Event& event) {
    return nanofaas::Response::ok(event.body());
  }));
  return engine;
}

/// A target that completes every event at once, on the driver.
bool complete_at_once(LoadTicket ticket) {
  ticket.done();
  return true;
}

void expect_all_completed(const LoadReport& report, std::uint64_t n) {
  EXPECT_EQ(report.sent, n);
  EXPECT_EQ(report.completed, n);
  EXPECT_EQ(report.succeeded(), n);
  EXPECT_EQ(report.latency.count(), n);
  EXPECT_EQ(report.warmup_sent, 0u);
}

TEST(LoadGeneratorTest, CountModeSendsAndCompletesExactlyN) {
  auto engine = echo_engine();
  for (auto mode : {InvocationMode::async, InvocationMode::sync}) {
    for (double rate : {20000.0, 0.0}) {
      SCOPED_TRACE(rate);
      const LoadSpec spec{.rate = rate, .concurrency = 2, .count = 200, .mode = mode};
      auto report = nanofaas::run_load(engine, "echo", R"({"a":1})", spec);
      ASSERT_TRUE(report) << report.error().message;
      expect_all_completed(*report, 200);
    }
  }
}

TEST(LoadGeneratorTest, ClosedLoopNeverExceedsConcurrencyInTheHandler) {
  auto engine = Engine::create({.workers = 2}).value();
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  ASSERT_TRUE(
      engine.add_function({.name = "slow"}, [&](const nanofaas::Event&, nanofaas::Context& ctx) {
        const int now = in_flight.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        (void)ctx.sleep_for(20us);  // lets calls overlap; the assertion does not depend on it
        in_flight.fetch_sub(1);
        return nanofaas::Response{};
      }));
  for (auto mode : {InvocationMode::async, InvocationMode::sync}) {
    most = 0;
    const LoadSpec spec{.concurrency = 3, .count = 300, .mode = mode};
    auto report = nanofaas::run_load(engine, "slow", "", spec);
    ASSERT_TRUE(report) << report.error().message;
    expect_all_completed(*report, 300);
    EXPECT_GE(most.load(), 1);
    EXPECT_LE(most.load(), 3);
  }
}

TEST(LoadGeneratorTest, ClosedLoopFillsExactlyTheConcurrency) {
  // The target holds tickets until it has `concurrency` of them, then completes them all:
  // the run only progresses if that many are sent, and a fourth would be seen.
  std::vector<LoadTicket> held;
  std::size_t most = 0;
  const LoadSpec spec{.concurrency = 3, .count = 30};
  auto report = nanofaas::run_load(spec, [&](LoadTicket ticket) {
    held.push_back(ticket);
    most = std::max(most, held.size());
    if (held.size() == 3) {
      for (const auto& t : held) t.done();
      held.clear();
    }
    return true;
  });
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 30);
  EXPECT_EQ(most, 3u);
}

TEST(LoadGeneratorTest, OpenLoopDurationModeSendsTheEventsDueInIt) {
  auto engine = echo_engine();
  const LoadSpec spec{.rate = 2000, .duration = 20ms};
  auto report = nanofaas::run_load(engine, "echo", "{}", spec);
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 40);  // due at 0, 0.5, …, 19.5 ms
  EXPECT_EQ(report->offered_rate, 2000);
}

TEST(LoadGeneratorTest, ClosedLoopDurationModeStops) {
  for (auto mode : {InvocationMode::async, InvocationMode::sync}) {
    // Time moves with the run's own clock reads, so a late-scheduled driver still sends.
    SteppingClock clock(1us);
    const LoadSpec spec{.concurrency = 2, .duration = 5ms, .mode = mode, .clock = &clock};
    auto report = nanofaas::run_load(spec, complete_at_once);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_GT(report->sent, 0u);
    EXPECT_EQ(report->completed, report->sent);
    EXPECT_EQ(report->offered_rate, 0);
  }
}

TEST(LoadGeneratorTest, SyncOpenLoopDriversShareTheTimetable) {
  SteppingClock clock(1us);
  std::mutex mutex;
  std::vector<std::int64_t> due;
  const LoadSpec spec{
      .rate = 1000, .concurrency = 4, .count = 50, .mode = InvocationMode::sync, .clock = &clock};
  auto report = nanofaas::run_load(spec, [&](LoadTicket ticket) {
    {
      std::lock_guard lock(mutex);
      due.push_back(ticket.scheduled().time_since_epoch().count());
    }
    ticket.done();
    return true;
  });
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 50);
  std::sort(due.begin(), due.end());
  ASSERT_EQ(due.size(), 50u);
  for (std::size_t i = 1; i < due.size(); ++i) EXPECT_EQ(due[i] - due[i - 1], 1'000'000);
}

TEST(LoadGeneratorTest, ValidationErrorsAreValues) {
  const LoadSpec bad[] = {
      {.rate = -1, .count = 1},
      {.rate = std::numeric_limits<double>::quiet_NaN(), .count = 1},
      {.rate = std::numeric_limits<double>::infinity(), .count = 1},
      {.count = 0},
      {.duration = 1s, .count = 1},
      {.duration = -1s},
      {.count = 1, .warmup = -1ms},
      {.concurrency = 0, .count = 1},
      {.concurrency = 2000, .count = 1, .mode = InvocationMode::sync},
      {.count = 1, .clock = nullptr},
      {.rate = 1e-6, .count = 10},
      {.duration = std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max()),
       .warmup = 1s},
      {.count = std::numeric_limits<std::uint64_t>::max()},
      {.rate = 1, .count = 1'000'000'000'000},
      {.concurrency = 2'000'000, .count = 1},
  };
  auto engine = echo_engine();
  for (const auto& spec : bad) {
    auto valid = spec.validate();
    ASSERT_FALSE(valid);
    EXPECT_EQ(valid.error().code, Errc::invalid_argument);
    EXPECT_FALSE(valid.error().message.empty());
    auto generic = nanofaas::run_load(spec, complete_at_once);
    ASSERT_FALSE(generic);
    EXPECT_EQ(generic.error().code, Errc::invalid_argument);
    auto on_engine = nanofaas::run_load(engine, "echo", "", spec);
    ASSERT_FALSE(on_engine);
    EXPECT_EQ(on_engine.error().code, Errc::invalid_argument);
  }
  EXPECT_TRUE((LoadSpec{.count = 1}).validate());
  EXPECT_TRUE((LoadSpec{.rate = 10, .duration = 1s}).validate());

  auto missing = nanofaas::run_load(engine, "missing", "", {.count = 1});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto no_target = nanofaas::run_load({.count = 1}, nanofaas::LoadSend{});
  ASSERT_FALSE(no_target);
  EXPECT_EQ(no_target.error().code, Errc::invalid_argument);
}

TEST(LoadGeneratorTest, RunLoadInAHandlerFails) {
  auto engine = echo_engine();
  Engine* self = &engine;
  ASSERT_TRUE(engine.add_function({.name = "nested"}, [self](const nanofaas::Event&) {
    auto report = nanofaas::run_load(*self, "echo", "", {.count = 1});
    if (report) return nanofaas::Response::ok("ran");
    return nanofaas::Response::ok(report.error().code == Errc::invalid_argument ? "refused"
                                                                                : "other");
  }));
  auto r = engine.invoke("nested", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload.view(), "refused");
}

TEST(LoadGeneratorTest, JsonHasEveryFieldAndParses) {
  auto engine = echo_engine();
  auto report = nanofaas::run_load(engine, "echo", "{}", {.rate = 10000, .count = 50});
  ASSERT_TRUE(report) << report.error().message;
  const std::string json = report->to_json();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  auto integer = [&](const char* key) {
    std::uint64_t v = 0;
    EXPECT_EQ(doc[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  auto real = [&](const char* key) {
    double v = -1;
    EXPECT_EQ(doc[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  EXPECT_EQ(integer("sent"), 50u);
  EXPECT_EQ(integer("completed"), 50u);
  EXPECT_EQ(integer("function_errors"), 0u);
  EXPECT_EQ(integer("engine_errors"), 0u);
  EXPECT_EQ(integer("refused"), report->refused);
  EXPECT_EQ(integer("warmup_sent"), 0u);
  EXPECT_EQ(real("offered_rate"), 10000);
  EXPECT_GE(real("achieved_rate"), 0);
  EXPECT_GE(real("throughput"), 0);
  EXPECT_EQ(integer("elapsed_ns"), static_cast<std::uint64_t>(report->elapsed.count()));
  EXPECT_EQ(integer("p50_ns"), static_cast<std::uint64_t>(report->latency.p50().count()));
  EXPECT_LE(integer("p50_ns"), integer("p90_ns"));
  EXPECT_LE(integer("p90_ns"), integer("p99_ns"));
  EXPECT_LE(integer("p99_ns"), integer("p999_ns"));
  EXPECT_LE(integer("p999_ns"), integer("max_ns"));
  EXPECT_GT(integer("max_ns"), 0u);
}

TEST(LoadGeneratorTest, CsvHasAHeaderAndARowOfTheSameWidth) {
  auto report = nanofaas::run_load({.count = 10}, complete_at_once);
  ASSERT_TRUE(report) << report.error().message;
  std::istringstream csv(report->to_csv());
  std::string header;
  std::string row;
  std::string extra;
  ASSERT_TRUE(std::getline(csv, header));
  ASSERT_TRUE(std::getline(csv, row));
  EXPECT_FALSE(std::getline(csv, extra));
  EXPECT_EQ(header, LoadReport::csv_header());
  EXPECT_EQ(row, report->csv_row());
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
  EXPECT_EQ(header.rfind("sent,completed,", 0), 0u);
  EXPECT_NE(header.find("p50_ns,p90_ns,p99_ns,p999_ns,max_ns"), std::string::npos);
  EXPECT_EQ(row.rfind("10,10,", 0), 0u);
  EXPECT_NE(report->to_text().find("p99.9"), std::string::npos);
}

TEST(LoadGeneratorTest, FunctionAndEngineErrorsAreCounted) {
  auto engine = Engine::create({.workers = 2}).value();
  std::atomic<int> calls{0};
  nanofaas::FunctionConfig flaky{.name = "flaky"};
  flaky.async.maximum_retry_attempts = 0;  // an error completes the event at once
  ASSERT_TRUE(engine.add_function(flaky, [&calls](const nanofaas::Event&) {
    if (calls.fetch_add(1) % 2 == 1) return nanofaas::Response::error("Odd", "every other");
    return nanofaas::Response{};
  }));
  for (auto mode : {InvocationMode::async, InvocationMode::sync}) {
    calls = 0;
    auto report = nanofaas::run_load(engine, "flaky", "", {.count = 100, .mode = mode});
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->completed, 100u);
    EXPECT_EQ(report->function_errors, 50u);
    EXPECT_EQ(report->engine_errors, 0u);
    EXPECT_EQ(report->succeeded(), 50u);
    EXPECT_EQ(report->latency.count(), 100u);  // errors have latencies too
  }
  ASSERT_TRUE(engine.add_function({.name = "throttled", .reserved_concurrency = 0},
                                  [](const nanofaas::Event&) { return nanofaas::Response{}; }));
  // A function throttled to 0 would fail every call: the run fails before sending.
  auto throttled =
      nanofaas::run_load(engine, "throttled", "", {.count = 10, .mode = InvocationMode::sync});
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, Errc::too_many_requests);

  std::uint64_t i = 0;
  auto generic = nanofaas::run_load({.count = 9}, [&i](LoadTicket ticket) {
    ticket.done(static_cast<LoadOutcome>(i++ % 3));
    return true;
  });
  ASSERT_TRUE(generic);
  EXPECT_EQ(generic->function_errors, 3u);
  EXPECT_EQ(generic->engine_errors, 3u);
  EXPECT_EQ(generic->succeeded(), 3u);
}

TEST(LoadGeneratorTest, LatencyCountsFromTheScheduledTime) {
  // 1000 events/s: event i is due at i ms. The target stalls 10 ms on the first event, so
  // events 1..9 go out late; each must count from when it was due (>= 10 - i ms), not from
  // when it was sent (a few µs).
  SteppingClock clock(1us);
  bool first = true;
  const LoadSpec spec{.rate = 1000, .count = 10, .clock = &clock};
  auto report = nanofaas::run_load(spec, [&](LoadTicket ticket) {
    if (first) clock.advance(10ms);
    first = false;
    ticket.done();
    return true;
  });
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 10);
  EXPECT_EQ(report->latency.count_at_most(999us), 0u);
  EXPECT_GE(report->latency.percentile(1.0), 10ms);
  EXPECT_GE(report->latency.p50(), 5ms);
  EXPECT_LT(report->achieved_rate, 1000);  // the stall showed in the send rate too
}

TEST(LoadGeneratorTest, OnTimeEventsHaveShortLatencyAndTheOfferedRate) {
  SteppingClock clock(1us);
  const LoadSpec spec{.rate = 1000, .count = 10, .clock = &clock};
  auto report = nanofaas::run_load(spec, complete_at_once);
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 10);
  EXPECT_LT(report->latency.percentile(1.0), 100us);
  EXPECT_NEAR(report->achieved_rate, 1000, 10);
}

TEST(LoadGeneratorTest, WarmupEventsAreSentButNotMeasured) {
  SteppingClock clock(1us);
  std::atomic<int> measured{0};
  const LoadSpec spec{.rate = 1000, .count = 5, .warmup = 10ms, .clock = &clock};
  auto report = nanofaas::run_load(spec, [&](LoadTicket ticket) {
    if (ticket.measured()) ++measured;
    ticket.done();
    return true;
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->warmup_sent, 10u);  // due at 0..9 ms
  EXPECT_EQ(report->sent, 5u);
  EXPECT_EQ(report->completed, 5u);
  EXPECT_EQ(report->latency.count(), 5u);
  EXPECT_EQ(measured.load(), 5);
}

TEST(LoadGeneratorTest, RefusedSendsAreRetriedAndCounted) {
  bool refuse = true;
  auto report = nanofaas::run_load({.rate = 1e6, .count = 20}, [&refuse](LoadTicket ticket) {
    refuse = !refuse;
    if (!refuse) return false;  // every event's first try
    ticket.done();
    return true;
  });
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 20);
  EXPECT_EQ(report->refused, 20u);
}

TEST(LoadGeneratorTest, AThrowingSendStopsTheRunWithAnError) {
  for (const InvocationMode mode : {InvocationMode::async, InvocationMode::sync}) {
    for (const double rate : {0.0, 1e6}) {
      std::atomic<int> sends{0};
      const LoadSpec spec{.rate = rate, .concurrency = 4, .count = 1000, .mode = mode};
      // Every send from the 11th on throws, so that each driver meets a throw whichever runs
      // first: the run must stop, not go on to the count.
      auto report = nanofaas::run_load(spec, [&sends](LoadTicket ticket) {
        if (sends.fetch_add(1) >= 10) throw std::runtime_error("target is gone");
        ticket.done();
        return true;
      });
      ASSERT_FALSE(report);
      EXPECT_EQ(report.error().code, Errc::invalid_argument);
      EXPECT_NE(report.error().message.find("target is gone"), std::string::npos)
          << report.error().message;
      EXPECT_LT(sends.load(), 1000);
    }
  }
}

TEST(LoadGeneratorTest, CompletionsOnOtherThreadsAreMerged) {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<LoadTicket> queue;
  bool stop = false;
  auto complete = [&] {
    std::unique_lock lock(mutex);
    for (;;) {
      ready.wait(lock, [&] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      const LoadTicket ticket = queue.front();
      queue.pop_front();
      lock.unlock();
      ticket.done();
      lock.lock();
    }
  };
  std::thread a(complete);
  std::thread b(complete);
  auto report = nanofaas::run_load({.rate = 200000, .count = 2000}, [&](LoadTicket ticket) {
    {
      std::lock_guard lock(mutex);
      queue.push_back(ticket);
    }
    ready.notify_one();
    return true;
  });
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  ready.notify_all();
  a.join();
  b.join();
  ASSERT_TRUE(report) << report.error().message;
  expect_all_completed(*report, 2000);
}

TEST(LoadGeneratorTest, RunsBackToBackOnTheSameThreads) {
  // Each run has its own per-thread slots: a second run must not see the first's.
  auto engine = echo_engine();
  for (int run = 0; run < 3; ++run) {
    auto report = nanofaas::run_load(engine, "echo", "", {.rate = 50000, .count = 100});
    ASSERT_TRUE(report) << report.error().message;
    expect_all_completed(*report, 100);
  }
}

}  // namespace
