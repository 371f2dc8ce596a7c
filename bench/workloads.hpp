#pragma once

// Workloads shared by the Google Benchmark suite and the headline table: each returns the
// latency of every call in a histogram, measured the same way for nanofaas and its peers.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <future>
#include <latch>
#include <string>
#include <vector>

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

inline nanofaas::Engine echo_engine(std::uint32_t workers = 2) {
  auto engine = nanofaas::Engine::create({.workers = workers}).value();
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

/// Fire-and-forget throughput (events/s): `n` trivial events from one producer thread, until
/// the last has run.
inline double async_throughput(int n, int functions = 1) {
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  std::latch done(n);
  std::vector<std::string> names;
  for (int f = 0; f < functions; ++f) {
    nanofaas::FunctionConfig config{.name = "a"};
    config.name += std::to_string(f);
    config.async.max_queue_depth = static_cast<std::size_t>(n);
    (void)engine.add_function(config, [&done](const nanofaas::Event&) {
      done.count_down();
      return nanofaas::Response{};
    });
    names.push_back(config.name);
  }
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    while (!engine.invoke_async(names[static_cast<std::size_t>(i % functions)], "{}")) {
    }
  }
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}

/// The same with boost::asio::thread_pool::post of the same handler work.
inline double asio_post_throughput(int n) {
  boost::asio::thread_pool pool(2);
  std::latch done(n);
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    boost::asio::post(pool, [&done] {
      nanofaas::Payload p = nanofaas::Payload::copy_of("{}");
      asm volatile("" : : "r"(p.data()) : "memory");
      done.count_down();
    });
  }
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
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
  const long before = resident_bytes();
  if (!engine.put_provisioned_concurrency("idle:1", n)) std::abort();
  const long after = resident_bytes();
  return static_cast<double>(after - before) / n;
}

}  // namespace bench
