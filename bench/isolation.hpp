#pragma once

// Isolation: the sync latency of one function while a neighbour floods the same workers with
// fire-and-forget events. nanofaas gives the measured function reserved concurrency; the
// peer shares one boost::asio::thread_pool between both, which has no isolation to offer.
// The neighbour's backlog is capped the same way for both (`backlog` events queued), and a
// flooder thread refills it as fast as it can; 2 worker threads, the caller on its own thread.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "workloads.hpp"

namespace bench {

/// The neighbour's work per event: the trivial task's payload copy, then one fewer in flight.
inline void neighbour_task(std::atomic<int>& in_flight) {
  copy_trivial_payload();
  in_flight.fetch_sub(1, std::memory_order_relaxed);
}

/// Runs `flood` on a thread of its own until the returned stopper is called (or destroyed).
class Flooder {
 public:
  template <class F>
  explicit Flooder(bool enabled, F flood) {
    if (enabled) {
      thread_ = std::thread([this, flood]() mutable {
        while (!stop_.load(std::memory_order_relaxed)) flood();
      });
    }
  }
  ~Flooder() { stop(); }
  Flooder(const Flooder&) = delete;
  Flooder& operator=(const Flooder&) = delete;
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// nanofaas: sync `invoke` of "reserved" (echo, reserved concurrency 10) for `seconds`, idle or
/// while a flooder keeps the neighbour "noisy" at its queue limit (`max_queue_depth` =
/// `backlog`; refused sends are retried at once).
inline DurationHistogram nanofaas_isolation(bool loaded, double seconds, int backlog) {
  std::atomic<int> in_flight{0};  // outlives the engine, whose destructor drains the backlog
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  if (!engine.add_function({.name = "reserved", .reserved_concurrency = 10}, echo)) std::abort();
  nanofaas::FunctionConfig noisy{.name = "noisy"};
  noisy.async.max_queue_depth = static_cast<std::size_t>(backlog);
  if (!engine.add_function(noisy, [&in_flight](const nanofaas::Event&) {
        neighbour_task(in_flight);
        return nanofaas::Response{};
      })) {
    std::abort();
  }
  Flooder flooder(loaded, [&engine, &in_flight] {
    if (engine.invoke_async("noisy", "{}")) in_flight.fetch_add(1, std::memory_order_relaxed);
  });
  const std::string in = payload();
  auto h = time_calls_for(seconds, [&] {
    auto r = engine.invoke("reserved", in);
    if (!r || !r->ok()) std::abort();
  });
  flooder.stop();
  return h;
}

/// boost::asio::thread_pool(2) shared by both: post + future of the echo for `seconds`, idle or
/// while a flooder keeps `backlog` neighbour tasks posted to the same pool.
inline DurationHistogram asio_isolation(bool loaded, double seconds, int backlog) {
  boost::asio::thread_pool pool(2);
  std::atomic<int> in_flight{0};
  Flooder flooder(loaded, [&pool, &in_flight, backlog] {
    if (in_flight.load(std::memory_order_relaxed) >= backlog) return;
    in_flight.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(pool, [&in_flight] { neighbour_task(in_flight); });
  });
  const std::string in = payload();
  auto h = time_calls_for(seconds, [&] {
    std::promise<nanofaas::Payload> done;
    auto f = done.get_future();
    boost::asio::post(pool, [&] { done.set_value(nanofaas::Payload::copy_of(in)); });
    auto out = f.get();
    asm volatile("" : : "r"(out.data()) : "memory");
  });
  flooder.stop();
  pool.join();
  return h;
}

}  // namespace bench
