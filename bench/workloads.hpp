#pragma once

// Workloads shared by the Google Benchmark suite and the headline table: each returns the
// latency of every call in a histogram, measured the same way for nanofaas and its peers.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <malloc.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <latch>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "nanofaas/load_generator.hpp"
#include "nanofaas/nanofaas.hpp"

namespace bench {

using nanofaas::DurationHistogram;
using steady = std::chrono::steady_clock;

/// The handler every workload runs: echo the request.
inline nanofaas::Response echo(const nanofaas::Event& event, nanofaas::Context&) {
  return nanofaas::Response::ok(event.body());
}

/// The payload every workload sends (a small JSON document).
inline std::string payload() {
  return R"({"symbol":"ACME","qty":100,"side":"buy","px":101.25,"account":"A-123456"})";
}

inline nanofaas::Engine echo_engine(std::uint32_t workers = 2, nanofaas::EngineConfig config = {}) {
  config.workers = workers;
  auto engine = nanofaas::Engine::create(std::move(config)).value();
  if (!engine.add_function({.name = "echo"}, echo)) std::abort();
  return engine;
}

/// Times `call` `n` times (after `n / 10` warm-up calls).
template <class F>
DurationHistogram time_calls(int n, F&& call) {
  for (int i = 0; i < n / 10; ++i) call();
  DurationHistogram h;
  for (int i = 0; i < n; ++i) {
    const auto t0 = steady::now();
    call();
    h.record(steady::now() - t0);
  }
  return h;
}

/// Times `call` for about `seconds` (after 100 warm-up calls): for callers whose latency
/// ranges from microseconds to milliseconds, so a fixed count would not fit a time budget.
template <class F>
DurationHistogram time_calls_for(double seconds, F&& call) {
  for (int i = 0; i < 100; ++i) call();
  DurationHistogram h;
  const auto until = steady::now() + std::chrono::duration<double>(seconds);
  for (auto t0 = steady::now(); t0 < until;) {
    call();
    const auto t1 = steady::now();
    h.record(t1 - t0);
    t0 = t1;
  }
  return h;
}

/// The floor: the same handler called directly.
inline DurationHistogram direct_call(int n) {
  const std::string in = payload();
  nanofaas::Payload out;
  return time_calls(n, [&] {
    out = nanofaas::Payload::copy_of(in);
    asm volatile("" : : "r"(out.data()) : "memory");
  });
}

/// nanofaas sync invoke from a plain thread, warm.
inline DurationHistogram sync_invoke(nanofaas::Engine& engine, int n) {
  const std::string in = payload();
  return time_calls(n, [&] {
    auto r = engine.invoke("echo", in);
    if (!r || !r->ok()) std::abort();
  });
}

/// The machine's floor for a sync call from a plain thread: a second thread spins on a request
/// slot, copies the payload (the echo's work) and answers through a response slot the caller
/// spins on. No engine and no sleeping: what is left is the two cache-line hand-overs.
inline DurationHistogram round_trip_floor(int n) {
  const std::string in = payload();
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> value{0};
  };
  Slot asked, answered;
  std::atomic<bool> stop{false};
  nanofaas::Payload out;
  std::thread server([&] {
    std::uint64_t seen = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      const std::uint64_t request = asked.value.load(std::memory_order_acquire);
      if (request == seen) continue;  // spin, as a spinning worker does
      out = nanofaas::Payload::copy_of(in);
      seen = request;
      answered.value.store(request, std::memory_order_release);
    }
  });
  std::uint64_t call = 0;
  auto h = time_calls(n, [&] {
    asked.value.store(++call, std::memory_order_release);
    while (answered.value.load(std::memory_order_acquire) != call) {
    }
  });
  stop = true;
  server.join();
  return h;
}

/// The peer most services use: post to boost::asio::thread_pool and wait on a future.
inline DurationHistogram asio_pool_future(boost::asio::thread_pool& pool, int n) {
  const std::string in = payload();
  return time_calls(n, [&] {
    std::promise<nanofaas::Payload> done;
    auto f = done.get_future();
    boost::asio::post(pool, [&] { done.set_value(nanofaas::Payload::copy_of(in)); });
    auto out = f.get();
    asm volatile("" : : "r"(out.data()) : "memory");
  });
}

/// nanofaas sync invoke from inside a handler (the nested path), measured in the handler.
inline DurationHistogram nested_invoke(nanofaas::Engine& engine, int n) {
  DurationHistogram h;
  (void)engine.add_function({.name = "nest"},
                            [&h, n](const nanofaas::Event& ev, nanofaas::Context& ctx) {
                              h = time_calls(n, [&] {
                                auto r = ctx.invoke("echo", ev.payload());
                                if (!r || !r->ok()) std::abort();
                              });
                              return nanofaas::Response{};
                            });
  auto r = engine.invoke("nest", payload());
  if (!r || !r->ok()) std::abort();
  return h;
}

/// Cold start: a nested call to a function with no environment yet (create the fiber, run a
/// trivial init, run the call), measured in the calling handler. With `pause_every` > 0 the
/// caller sleeps 2 ms after that many cold starts, time the worker uses to refill its
/// reserve of stacks (EngineConfig::stack_reserve); with 0, the reserve runs dry and every
/// cold start maps a fresh stack.
inline DurationHistogram cold_start(int n, int pause_every) {
  auto engine = nanofaas::Engine::create({.workers = 1}).value();
  auto name_of = [](int i) {
    std::string name = "c";  // not "c" + to_string(i): GCC 12 warns falsely (-Wrestrict)
    name += std::to_string(i);
    return name;
  };
  for (int i = 0; i < n; ++i) (void)engine.add_function({.name = name_of(i)}, echo);
  DurationHistogram h;
  (void)engine.add_function(
      {.name = "starter", .timeout = std::chrono::minutes(1)},
      [&h, n, pause_every, name_of](const nanofaas::Event&, nanofaas::Context& ctx) {
        for (int i = 0; i < n; ++i) {
          if (pause_every > 0 && i % pause_every == 0) {
            ctx.sleep_for(std::chrono::milliseconds(2));
          }
          const std::string name = name_of(i);
          const auto t0 = steady::now();
          auto r = ctx.invoke(name, "x");
          h.record(steady::now() - t0);
          if (!r || !r->init_duration) std::abort();
        }
        return nanofaas::Response{};
      });
  (void)engine.invoke("starter", "");
  return h;
}

/// How a producer names the function it sends to.
enum class Naming : std::uint8_t { handle, name };

/// Fire-and-forget throughput (events/s): `n` trivial events from one producer thread, until
/// the last has run, sent round-robin to `functions` distinct functions through handles
/// resolved before the clock starts (as a peer's closures exist before it), or by name.
inline double async_throughput(int n, int functions = 1, std::uint32_t workers = 2,
                               Naming naming = Naming::handle) {
  auto engine = nanofaas::Engine::create({.workers = workers}).value();
  std::atomic<std::latch*> counting{nullptr};  // the warm-up's latch, then the measured one
  std::vector<std::string> names;
  for (int f = 0; f < functions; ++f) {
    nanofaas::FunctionConfig config{.name = "a"};
    config.name += std::to_string(f);
    config.async.max_queue_depth = static_cast<std::size_t>(n);
    (void)engine.add_function(config, [&counting](const nanofaas::Event&) {
      counting.load(std::memory_order_relaxed)->count_down();
      return nanofaas::Response{};
    });
    names.push_back(config.name);
  }
  std::vector<nanofaas::FunctionHandle> handles;
  for (const std::string& name : names) handles.push_back(engine.resolve(name).value());
  const auto send_round_robin = [&](int events) {
    for (int i = 0; i < events; ++i) {
      const auto f = static_cast<std::size_t>(i % functions);
      while (!(naming == Naming::handle ? engine.invoke_async(handles[f], "{}")
                                        : engine.invoke_async(names[f], "{}"))) {
      }
    }
  };
  // Warm up as the peers do (1,000 tasks), and at least once per function: every function
  // has its environment, as every peer's closure exists before its clock starts.
  const int warm_events = std::max(1000, functions);
  std::latch warm(warm_events);
  counting = &warm;
  send_round_robin(warm_events);
  warm.wait();
  std::latch done(n);
  counting = &done;
  const auto t0 = steady::now();
  send_round_robin(n);
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}

/// The work of one fire-and-forget task outside nanofaas, whose `invoke_async` copies a small
/// payload into its pooled event (no allocation): copy the 2-byte payload into a padded buffer
/// of the task's own, then count the task done.
inline void copy_trivial_payload() noexcept {
  char copy[2 + nanofaas::payload_padding];
  std::memcpy(copy, "{}", 2);
  asm volatile("" : : "r"(copy) : "memory");
}
inline void trivial_task(std::latch& done) {
  copy_trivial_payload();
  done.count_down();
}

/// The same with boost::asio::thread_pool::post of the same handler work (`threads` threads).
inline double asio_post_throughput(int n, std::size_t threads = 2) {
  boost::asio::thread_pool pool(threads);
  std::latch warm(1000);  // warm up: start the pool's threads
  for (int i = 0; i < 1000; ++i) boost::asio::post(pool, [&warm] { trivial_task(warm); });
  warm.wait();
  std::latch done(n);
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    boost::asio::post(pool, [&done] { trivial_task(done); });
  }
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}

/// An open-loop schedule: `rate` events/s for `warmup` (not recorded), then for `measure`.
struct OpenLoop {
  double rate = 100000;
  std::chrono::milliseconds warmup{50};
  std::chrono::milliseconds measure{200};

  /// Events sent in all (warm-up included), for sizing a target's queue.
  [[nodiscard]] int events() const {
    return static_cast<int>(rate * static_cast<double>((warmup + measure).count()) / 1000);
  }
};

/// What an open-loop run measured.
struct OpenLoopResult {
  DurationHistogram latency;  ///< scheduled send to handler start, measured events only
  double achieved_rate = 0;   ///< events/s actually sent during the measured part
  std::uint64_t refused = 0;  ///< sends refused (queue full), retried at once
};

/// Drives an open loop with nanofaas' load generator (`nanofaas::run_load`): event i is due at
/// start + i / rate whether or not earlier ones have run, and its latency counts from that due
/// time (the correction for coordinated omission). `send(ticket)` hands an event over, and
/// the task calls `ticket.done()` first thing when it starts; false means refused.
template <class Send>
OpenLoopResult drive_open_loop(const OpenLoop& schedule, Send&& send) {
  const nanofaas::LoadSpec spec{
      .rate = schedule.rate, .duration = schedule.measure, .warmup = schedule.warmup};
  auto report = nanofaas::run_load(spec, nanofaas::LoadSend(std::forward<Send>(send)));
  if (!report) {
    std::fprintf(stderr, "open loop: %s\n", report.error().message.c_str());
    std::abort();
  }
  return {report->latency, report->achieved_rate, report->refused};
}

/// A ticket as the bytes of an event payload, and back (it is a small trivially copyable value).
static_assert(std::is_trivially_copyable_v<nanofaas::LoadTicket>);
inline std::string_view ticket_bytes(const nanofaas::LoadTicket& ticket) noexcept {
  return {reinterpret_cast<const char*>(&ticket), sizeof ticket};
}
inline nanofaas::LoadTicket ticket_of(std::string_view bytes) noexcept {
  std::array<char, sizeof(nanofaas::LoadTicket)> raw{};
  std::memcpy(raw.data(), bytes.data(), std::min(bytes.size(), raw.size()));
  return std::bit_cast<nanofaas::LoadTicket>(raw);
}

/// Enqueue-to-start latency of `invoke_async` under an open loop: warm workers, one function
/// whose trivial handler completes its ticket (carried as the payload) first.
inline OpenLoopResult async_start_latency(const OpenLoop& schedule, std::uint32_t workers = 2) {
  auto engine = nanofaas::Engine::create({.workers = workers}).value();
  nanofaas::FunctionConfig config{.name = "start"};
  config.async.max_queue_depth = static_cast<std::size_t>(schedule.events());
  if (!engine.add_function(config, [](const nanofaas::Event& event) {
        ticket_of(event.body()).done();
        return nanofaas::Response{};
      })) {
    std::abort();
  }
  return drive_open_loop(schedule, [&engine](nanofaas::LoadTicket ticket) {
    return static_cast<bool>(engine.invoke_async("start", ticket_bytes(ticket)));
  });
}

/// The machine's floor for `async_start_latency`: no engine, one thread spinning on a
/// single-producer ring of tickets, completing each as it reads it. What is left in its tails
/// is the machine's (preemption, interrupts), not any queue's.
inline OpenLoopResult handoff_floor_start_latency(const OpenLoop& schedule) {
  const auto capacity = static_cast<std::size_t>(schedule.events()) + 1024;
  std::vector<std::optional<nanofaas::LoadTicket>> ring(capacity);
  std::atomic<std::size_t> written{0};
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    std::size_t read = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      if (read == written.load(std::memory_order_acquire)) continue;  // spin, as workers do
      ring[read % capacity]->done();
      ++read;
    }
  });
  std::size_t sent = 0;
  auto result = drive_open_loop(schedule, [&](nanofaas::LoadTicket ticket) {
    if (sent == capacity) return false;  // more than planned: refuse, as a full queue would
    ring[sent % capacity] = ticket;
    written.store(++sent, std::memory_order_release);
    return true;
  });
  stop = true;
  consumer.join();
  return result;
}

inline long resident_bytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

/// Resident memory per idle warm environment: RSS growth for `n` provisioned environments.
inline double bytes_per_idle_environment(std::uint32_t n) {
  auto engine = nanofaas::Engine::create(
                    {.workers = 2, .concurrency_limit = n + 100, .unreserved_concurrency_min = 0})
                    .value();
  (void)engine.add_function({.name = "idle"}, echo);
  (void)engine.publish_version("idle");
  (void)engine.invoke("idle:1", "warm up the allocator");
  malloc_trim(0);  // free heap left by earlier workloads would hide this one's growth
  const long before = resident_bytes();
  if (!engine.put_provisioned_concurrency("idle:1", n)) std::abort();
  const long after = resident_bytes();
  return static_cast<double>(after - before) / n;
}

}  // namespace bench
