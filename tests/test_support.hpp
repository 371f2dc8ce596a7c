#pragma once

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>

#include "nanofaas/nanofaas.hpp"

namespace nanofaas::test {

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

}  // namespace nanofaas::test
