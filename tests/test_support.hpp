#pragma once

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "nanofaas/nanofaas.hpp"

namespace nanofaas::test {

/// Stress tests divide their counts by this: a sanitizer build (scripts/sanitize.sh) runs
/// several times slower, so it takes the same paths a tenth as often; the Release run does
/// them all.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int sanitizer_divisor = 10;
#else
inline constexpr int sanitizer_divisor = 1;
#endif

/// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  time_point now() const noexcept override {
    return time_point(std::chrono::nanoseconds(ns_.load()));
  }
  void advance(std::chrono::nanoseconds d) noexcept { ns_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> ns_{1'000'000'000};
};

/// An engine with the given number of workers, or the test fails.
inline Engine make_engine(EngineConfig config = {}) {
  auto engine = Engine::create(std::move(config));
  if (!engine) throw std::runtime_error(engine.error().message);
  return std::move(engine).value();
}

/// "prefix" followed by `i` (built by appending: GCC 12 warns falsely on "f" + to_string(i)).
inline std::string numbered(std::string_view prefix, int i) {
  std::string name(prefix);
  name += std::to_string(i);
  return name;
}

/// Yields until `pred()` holds; false after `patience`. For conditions nothing signals, such
/// as an engine counter (never a fixed sleep).
template <class P>
bool eventually(P pred, std::chrono::nanoseconds patience = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

/// A queue or stream for a test (a bad configuration throws).
inline std::shared_ptr<Queue> make_queue(QueueConfig config) {
  auto q = Queue::create(std::move(config));
  if (!q) throw std::runtime_error(q.error().message);
  return std::move(q).value();
}
inline std::shared_ptr<Stream> make_stream(StreamConfig config) {
  auto s = Stream::create(std::move(config));
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(s).value();
}

/// A handler that echoes its event.
inline Response echo(const Event& event, Context&) {
  return Response::ok(event.body());
}

/// Holds one worker thread of `engine` from construction until `release()` (or destruction):
/// a function "block" runs, called from a thread of its own, and waits. With one worker,
/// nothing else runs meanwhile and accepted events stay queued.
class WorkerHold {
 public:
  explicit WorkerHold(Engine& engine) : engine_(engine) {
    auto added = engine_.add_function({.name = "block"}, [this](const Event&) {
      held_.count_down();
      release_.wait();  // blocks the worker thread itself, not only its fiber
      return Response{};
    });
    if (!added) throw std::runtime_error(added.error().message);
    holder_ = std::thread([this] { (void)engine_.invoke("block", ""); });
    held_.wait();
  }
  WorkerHold(const WorkerHold&) = delete;
  WorkerHold& operator=(const WorkerHold&) = delete;
  ~WorkerHold() { release(); }
  /// Lets "block" return and waits for its caller.
  void release() {
    if (!holder_.joinable()) return;
    release_.count_down();
    holder_.join();
  }

 private:
  Engine& engine_;
  std::latch held_{1};
  std::latch release_{1};
  std::thread holder_;
};

/// Maps a stream holding one record, "poison", onto "f", whose handler throws, with no retries:
/// the record goes to `on_failure` at once. Returns the mapping's UUID.
inline std::string map_poison_record(Engine& engine, Destination on_failure) {
  auto added = engine.add_function(
      {.name = "f"}, [](const Event&) -> Response { throw std::runtime_error("boom"); });
  if (!added) throw std::runtime_error(added.error().message);
  auto stream = make_stream({.name = "s"});
  EventSourceMappingConfig config{.source = stream, .function_name = "f", .batch_size = 2};
  config.starting_position = StartingPosition::trim_horizon;
  config.maximum_retry_attempts = 0;
  config.on_failure = std::move(on_failure);
  if (!stream->put_record("k", PayloadView("poison"))) throw std::runtime_error("put_record");
  auto uuid = engine.create_event_source_mapping(config);
  if (!uuid) throw std::runtime_error(uuid.error().message);
  return std::move(uuid).value();
}

}  // namespace nanofaas::test
