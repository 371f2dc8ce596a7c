#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <deque>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using test::echo;
using test::make_engine;

/// What the queues one factory made saw, and what the factory was asked for.
struct QueueLog {
  std::atomic<std::uint64_t> pushes{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> pops{0};
  std::atomic<std::uint64_t> requeues{0};
  std::mutex mutex;
  std::vector<std::tuple<std::string, std::string, std::size_t>> made;
  std::vector<const AsyncQueue*> queues;

  /// Events queued now, over every queue.
  std::size_t depth() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const AsyncQueue* q : queues) n += q->depth_approx();
    return n;
  }
};

/// A user-written queue: a deque under a mutex, bounded at the factory's `max_queue_depth`.
class UserQueue final : public AsyncQueue {
 public:
  UserQueue(std::size_t capacity, QueueLog& log) : capacity_(capacity), log_(log) {}
  bool push(QueuedEvent* event) override {
    std::lock_guard lock(mutex_);
    if (events_.size() >= capacity_) {
      ++log_.refused;
      return false;
    }
    events_.push_back(event);
    ++log_.pushes;
    return true;
  }
  QueuedEvent* pop() override {
    QueuedEvent* event = nullptr;
    return pop_bulk(&event, 1) == 1 ? event : nullptr;
  }
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (; n < max && !events_.empty(); ++n) {
      out[n] = events_.front();
      events_.pop_front();
    }
    log_.pops += n;
    return n;
  }
  bool requeue(QueuedEvent* event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
    ++log_.requeues;
    return true;
  }
  [[nodiscard]] std::size_t depth_approx() const override {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

 private:
  const std::size_t capacity_;
  QueueLog& log_;
  mutable std::mutex mutex_;
  std::deque<QueuedEvent*> events_;
};

/// An engine whose versions get `UserQueue`s logged in `log`.
EngineConfig user_queues(QueueLog& log, EngineConfig config = {}) {
  config.async_queue = [&log](std::string_view function, std::string_view version,
                              std::size_t max_queue_depth) -> std::unique_ptr<AsyncQueue> {
    auto queue = std::make_unique<UserQueue>(max_queue_depth, log);
    std::lock_guard lock(log.mutex);
    log.made.emplace_back(function, version, max_queue_depth);
    log.queues.push_back(queue.get());
    return queue;
  };
  return config;
}

TEST(AsyncQueueTest, EveryEventFlowsThroughAUserQueueAndRunsOnce) {
  constexpr int producers = 4;
  constexpr int per_producer = 500;
  QueueLog log;
  auto engine = make_engine(user_queues(log));
  std::mutex mutex;
  std::map<std::string, int> runs;
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event& event) {
    std::lock_guard lock(mutex);
    ++runs[std::string(event.body())];
    return Response{};
  }));
  std::latch done(producers * per_producer);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        auto body = Payload::copy_of(test::numbered(test::numbered("p", p) + "-", i));
        ASSERT_TRUE(engine.invoke_async("f", std::move(body), [&](AsyncOutcome&& o) {
          EXPECT_EQ(o.condition, "Success");
          done.count_down();
        }));
      }
    });
  }
  for (auto& t : threads) t.join();
  done.wait();
  engine.shutdown(5s);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(producers * per_producer));
  for (const auto& [body, n] : runs) EXPECT_EQ(n, 1) << body;
  EXPECT_EQ(log.pushes.load(), static_cast<std::uint64_t>(producers * per_producer));
  EXPECT_EQ(log.pops.load(), log.pushes.load() + log.requeues.load());
  EXPECT_EQ(log.refused.load(), 0u);
  EXPECT_EQ(log.depth(), 0u);
  EXPECT_EQ(engine.metrics().find("f")->async_events_succeeded, log.pushes.load());
}

TEST(AsyncQueueTest, TheFactoryGetsTheFunctionTheVersionAndTheBound) {
  QueueLog log;
  auto engine = make_engine(user_queues(log));
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 7;
  ASSERT_TRUE(engine.add_function(config, echo));
  AsyncConfig deeper;
  deeper.max_queue_depth = 9;  // a version published from now on gets this bound
  ASSERT_TRUE(engine.put_function_event_invoke_config("f", deeper));
  ASSERT_EQ(engine.publish_version("f").value(), "1");
  std::lock_guard lock(log.mutex);
  using Made = std::tuple<std::string, std::string, std::size_t>;
  EXPECT_EQ(log.made, (std::vector<Made>{{"f", "$LATEST", 7}, {"f", "1", 9}}));
}

TEST(AsyncQueueTest, AFullUserQueueRefusesTheEvent) {
  QueueLog log;
  auto engine = make_engine(user_queues(log, {.workers = 1}));
  FunctionConfig config{.name = "f"};
  config.async.max_queue_depth = 3;
  ASSERT_TRUE(engine.add_function(config, echo));
  test::WorkerHold hold(engine);  // nothing is pumped meanwhile
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine.invoke_async("f", "x"));
  const auto refused = engine.invoke_async("f", "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::resource_exhausted);
  EXPECT_EQ(log.refused.load(), 1u);
  hold.release();
  engine.shutdown(5s);
  const auto m = *engine.metrics().find("f");
  EXPECT_EQ(m.async_events_received, 3u);
  EXPECT_EQ(m.async_events_succeeded, 3u);
}

TEST(AsyncQueueTest, AFactoryThatMakesNoQueueFailsTheRegistration) {
  auto engine = make_engine({.async_queue = [](std::string_view function, std::string_view version,
                                               std::size_t depth) -> std::unique_ptr<AsyncQueue> {
    if (function == "broken" || version != "$LATEST") return nullptr;
    return make_in_memory_async_queue(depth);
  }});
  const auto added = engine.add_function({.name = "broken"}, echo);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, Errc::invalid_argument);
  EXPECT_NE(added.error().message.find("broken"), std::string::npos);
  EXPECT_EQ(engine.invoke("broken", "x").error().code, Errc::not_found);

  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  const auto published = engine.publish_version("f");
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error().code, Errc::invalid_argument);
  EXPECT_EQ(engine.invoke("f:1", "x").error().code, Errc::not_found);
  // The function itself is unharmed.
  EXPECT_EQ(engine.invoke("f", "x")->payload.view(), "x");
}

TEST(AsyncQueueTest, ShutdownSpillsWhatIsLeftInAUserQueue) {
  constexpr int events = 100;
  QueueLog log;
  std::atomic<int> spilled{0};
  auto engine = make_engine(user_queues(
      log, {.workers = 1, .shutdown_drain = 0s, .async_spill = [&](const DeadLetter& d) {
              EXPECT_EQ(d.error_code, "Shutdown");
              EXPECT_EQ(d.payload, "x");
              ++spilled;
            }}));
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  test::WorkerHold hold(engine);  // the events stay queued
  std::atomic<int> succeeded{0};
  std::atomic<int> shut_down{0};
  for (int i = 0; i < events; ++i) {
    ASSERT_TRUE(engine.invoke_async("f", Payload::copy_of("x"), [&](AsyncOutcome&& o) {
      ++(o.condition == "Shutdown" ? shut_down : succeeded);
    }));
  }
  EXPECT_EQ(log.pushes.load(), static_cast<std::uint64_t>(events));
  // Shutdown stops dispatching right after it stops accepting calls (no drain time), then
  // waits for the blocked handler: the events left in the queue are spilled.
  std::thread stopper([&] { engine.shutdown(0s); });
  EXPECT_TRUE(test::eventually([&] {
    auto s = engine.dry_run("f");
    return !s && s.error().code == Errc::unavailable;
  }));
  hold.release();
  stopper.join();
  EXPECT_EQ(succeeded.load() + shut_down.load(), events);  // every event told, once
  EXPECT_GT(shut_down.load(), 0);  // all, unless the released worker ran some first
  EXPECT_EQ(spilled.load(), shut_down.load());
  EXPECT_EQ(log.pops.load(), log.pushes.load() + log.requeues.load());
  EXPECT_EQ(log.depth(), 0u);
  const auto m = *engine.metrics().find("f");
  EXPECT_EQ(m.async_events_spilled, static_cast<std::uint64_t>(shut_down.load()));
  EXPECT_EQ(m.async_events_succeeded, static_cast<std::uint64_t>(succeeded.load()));
  EXPECT_EQ(m.async_events_discarded, 0u);
  EXPECT_EQ(m.async_pending, 0u);
}

/// A user queue whose first push waits for `open`, after counting down `pushing`: a caller of
/// invoke_async held between the engine's check that it accepts calls and the push.
class HeldFirstPush final : public AsyncQueue {
 public:
  HeldFirstPush(std::size_t capacity, QueueLog& log, std::latch& pushing, std::latch& open)
      : inner_(capacity, log), pushing_(pushing), open_(open) {}
  bool push(QueuedEvent* event) override {
    if (!held_.exchange(true)) {
      pushing_.count_down();
      open_.wait();
    }
    return inner_.push(event);
  }
  QueuedEvent* pop() override { return inner_.pop(); }
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override {
    return inner_.pop_bulk(out, max);
  }
  bool requeue(QueuedEvent* event) override { return inner_.requeue(event); }
  [[nodiscard]] std::size_t depth_approx() const override { return inner_.depth_approx(); }

 private:
  UserQueue inner_;
  std::latch& pushing_;
  std::latch& open_;
  std::atomic<bool> held_{false};
};

TEST(AsyncQueueTest, AnEventPushedAfterShutdownSpilledTheQueuesIsSpilledAllTheSame) {
  // A caller preempted between the check and the push used to leave its event in the queue
  // after shutdown had spilled it: accepted, counted as received, and never run or spilled.
  QueueLog log;
  std::latch pushing(1);
  std::latch open(1);
  std::atomic<int> spilled{0};
  EngineConfig config{.workers = 1, .async_spill = [&](const DeadLetter& d) {
                        EXPECT_EQ(d.payload, "late");
                        ++spilled;
                      }};
  config.async_queue = [&](std::string_view, std::string_view, std::size_t max_queue_depth) {
    return std::make_unique<HeldFirstPush>(max_queue_depth, log, pushing, open);
  };
  auto engine = make_engine(std::move(config));
  ASSERT_TRUE(engine.add_function({.name = "f"}, echo));
  std::optional<Expected<RequestId>> id;
  std::string condition;
  std::thread caller([&] {
    id = engine.invoke_async("f", Payload::copy_of("late"),
                             [&](AsyncOutcome&& o) { condition = o.condition; });
  });
  pushing.wait();  // the caller passed the check and waits in the push
  engine.shutdown(0s);
  open.count_down();
  caller.join();
  ASSERT_TRUE(id.has_value() && id->has_value());  // accepted, so it must end somewhere
  EXPECT_EQ(spilled.load(), 1);
  EXPECT_EQ(condition, "Shutdown");
  EXPECT_EQ(log.depth(), 0u);
  const auto m = *engine.metrics().find("f");
  EXPECT_EQ(m.async_events_received, 1u);
  EXPECT_EQ(m.async_events_spilled, 1u);
  EXPECT_EQ(m.async_pending, 0u);
}

/// Stand-ins for events: the in-memory queue keeps the pointers and never reads through them
/// (only its destructor does, so every test drains it first).
template <std::size_t N>
struct Slots {
  std::array<int, N> storage{};
  QueuedEvent* operator[](std::size_t i) { return reinterpret_cast<QueuedEvent*>(&storage[i]); }
  std::size_t index_of(QueuedEvent* event) const {
    return static_cast<std::size_t>(reinterpret_cast<const int*>(event) - storage.data());
  }
};

/// Pops everything left in `queue`.
std::vector<QueuedEvent*> drain(AsyncQueue& queue) {
  std::vector<QueuedEvent*> out;
  while (QueuedEvent* event = queue.pop()) out.push_back(event);
  return out;
}

TEST(InMemoryAsyncQueueTest, PushesUpToTheBoundAndPopsInOrder) {
  Slots<5> slots;
  auto queue = make_in_memory_async_queue(4);
  EXPECT_EQ(queue->pop(), nullptr);
  for (std::size_t i = 0; i < 4; ++i) ASSERT_TRUE(queue->push(slots[i]));
  EXPECT_FALSE(queue->push(slots[4]));
  EXPECT_EQ(queue->depth_approx(), 4u);
  EXPECT_EQ(queue->pop(), slots[0]);
  EXPECT_EQ(queue->depth_approx(), 3u);
  EXPECT_TRUE(queue->push(slots[4]));  // a pop frees a place
  EXPECT_EQ(drain(*queue), (std::vector{slots[1], slots[2], slots[3], slots[4]}));
  EXPECT_EQ(queue->depth_approx(), 0u);
  EXPECT_EQ(queue->pop(), nullptr);
}

TEST(InMemoryAsyncQueueTest, PopBulkTakesUpToMaxInOrder) {
  Slots<5> slots;
  auto queue = make_in_memory_async_queue(8);
  for (std::size_t i = 0; i < 5; ++i) ASSERT_TRUE(queue->push(slots[i]));
  std::array<QueuedEvent*, 8> out{};
  ASSERT_EQ(queue->pop_bulk(out.data(), 3), 3u);
  EXPECT_EQ(std::vector(out.begin(), out.begin() + 3), (std::vector{slots[0], slots[1], slots[2]}));
  EXPECT_EQ(queue->depth_approx(), 2u);
  ASSERT_EQ(queue->pop_bulk(out.data(), out.size()), 2u);
  EXPECT_EQ(out[0], slots[3]);
  EXPECT_EQ(out[1], slots[4]);
  EXPECT_EQ(queue->pop_bulk(out.data(), out.size()), 0u);
  EXPECT_EQ(queue->depth_approx(), 0u);
}

TEST(InMemoryAsyncQueueTest, RequeueGoesPastTheBoundWhichThenHolds) {
  Slots<4> slots;
  auto queue = make_in_memory_async_queue(2);
  ASSERT_TRUE(queue->push(slots[0]));
  ASSERT_TRUE(queue->push(slots[1]));
  QueuedEvent* taken = queue->pop();
  ASSERT_EQ(taken, slots[0]);
  ASSERT_TRUE(queue->push(slots[2]));  // the popped one's place
  EXPECT_FALSE(queue->push(slots[3]));
  EXPECT_TRUE(queue->requeue(taken));  // it held a place before: taken back past the bound
  EXPECT_EQ(queue->depth_approx(), 3u);
  EXPECT_FALSE(queue->push(slots[3]));
  EXPECT_EQ(queue->pop(), slots[1]);
  EXPECT_FALSE(queue->push(slots[3]));  // still at the bound: two queued
  EXPECT_EQ(drain(*queue), (std::vector{slots[2], slots[0]}));
  EXPECT_TRUE(queue->push(slots[3]));
  EXPECT_EQ(drain(*queue), std::vector{slots[3]});
}

TEST(InMemoryAsyncQueueTest, EachProducersEventsComeOutInItsOrder) {
  constexpr std::size_t producers = 4;
  constexpr std::size_t per_producer = 5000;
  auto slots = std::make_unique<Slots<producers * per_producer>>();
  auto queue = make_in_memory_async_queue(producers * per_producer);
  std::latch start(producers + 1);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (std::size_t i = 0; i < per_producer; ++i) {
        ASSERT_TRUE(queue->push((*slots)[p * per_producer + i]));
      }
    });
  }
  start.arrive_and_wait();
  std::array<std::size_t, producers> next{};
  std::size_t received = 0;
  std::array<QueuedEvent*, 16> out{};
  while (received < producers * per_producer) {
    // Alternates single and bulk pops, concurrently with the producers.
    const std::size_t n = received % 2 == 0 ? queue->pop_bulk(out.data(), out.size())
                                            : (out[0] = queue->pop()) != nullptr;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t index = slots->index_of(out[k]);
      const std::size_t p = index / per_producer;
      ASSERT_EQ(index % per_producer, next[p]) << "producer " << p;
      ++next[p];
    }
    received += n;
    if (n == 0) std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(queue->pop(), nullptr);
  EXPECT_EQ(queue->depth_approx(), 0u);
}

TEST(InMemoryAsyncQueueTest, ConcurrentProducersNeverPassTheBound) {
  constexpr std::size_t capacity = 1000;
  constexpr std::size_t producers = 4;
  auto slots = std::make_unique<Slots<capacity * producers>>();
  auto queue = make_in_memory_async_queue(capacity);
  std::latch start(producers);
  std::atomic<std::size_t> accepted{0};
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (std::size_t i = 0; i < capacity; ++i) {
        if (queue->push((*slots)[p * capacity + i])) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(accepted.load(), capacity);
  EXPECT_EQ(queue->depth_approx(), accepted.load());
  // Alone, a producer fills exactly what is left.
  std::size_t more = 0;
  while (queue->push((*slots)[more])) ++more;
  EXPECT_EQ(accepted.load() + more, capacity);
  EXPECT_EQ(drain(*queue).size(), capacity);
}

}  // namespace
