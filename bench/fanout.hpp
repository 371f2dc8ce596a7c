#pragma once

// Fan-out/fan-in: one parent starts `children` tasks and waits for all of them, one parent
// at a time, for `seconds` (after 100 warm-up rounds); completions/s counts parents. The
// children do the trivial work (`trivial_task`, or nanofaas' `echo` for its nested calls);
// 2 worker threads everywhere. The CAF peer is in caf_peers.hpp.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#ifdef NANOFAAS_BENCH_WITH_TBB
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <string>

#include "workloads.hpp"

namespace bench {

/// Runs `round` for `seconds` after 100 warm-up rounds; returns rounds per second.
template <class F>
double rounds_per_second(double seconds, F&& round) {
  for (int i = 0; i < 100; ++i) round();
  long rounds = 0;
  const auto t0 = steady::now();
  const auto until = t0 + std::chrono::duration<double>(seconds);
  for (; steady::now() < until; ++rounds) round();
  return static_cast<double>(rounds) / std::chrono::duration<double>(steady::now() - t0).count();
}

/// nanofaas, parent on a plain thread: `children` `invoke_async`s of one function, each event
/// carrying the address of the parent's latch, which the handler counts down.
inline double nanofaas_fanout_async(int children, double seconds) {
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  if (!engine.add_function({.name = "child"}, [](const nanofaas::Event& event) {
        std::latch* done = nullptr;
        std::memcpy(&done, event.body().data(), sizeof done);
        done->count_down();
        return nanofaas::Response{};
      })) {
    std::abort();
  }
  return rounds_per_second(seconds, [&] {
    std::latch done(children);
    std::latch* address = &done;
    char bytes[sizeof address];
    std::memcpy(bytes, &address, sizeof address);
    for (int c = 0; c < children; ++c) {
      while (!engine.invoke_async("child", std::string_view(bytes, sizeof bytes))) {
      }
    }
    done.wait();
  });
}

/// nanofaas, parent in a handler: `children` nested sync `ctx.invoke`s of the echo function,
/// one after another (a nested call to a warm function runs on the caller's fiber, so this
/// is the sequential fan-out); the host invokes the parent synchronously.
inline double nanofaas_fanout_nested(int children, double seconds) {
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  if (!engine.add_function({.name = "echo"}, echo)) std::abort();
  if (!engine.add_function({.name = "parent"},
                           [children](const nanofaas::Event& event, nanofaas::Context& ctx) {
                             for (int c = 0; c < children; ++c) {
                               auto r = ctx.invoke("echo", event.payload());
                               if (!r || !r->ok()) std::abort();
                             }
                             return nanofaas::Response{};
                           })) {
    std::abort();
  }
  const std::string in = payload();
  return rounds_per_second(seconds, [&] {
    auto r = engine.invoke("parent", in);
    if (!r || !r->ok()) std::abort();
  });
}

/// boost::asio::thread_pool(2): the parent (a plain thread) posts `children` tasks and waits
/// on a latch they count down.
inline double asio_fanout(int children, double seconds) {
  boost::asio::thread_pool pool(2);
  const double rate = rounds_per_second(seconds, [&] {
    std::latch done(children);
    for (int c = 0; c < children; ++c) boost::asio::post(pool, [&done] { trivial_task(done); });
    done.wait();
  });
  pool.join();
  return rate;
}

#ifdef NANOFAAS_BENCH_WITH_TBB
/// oneTBB: the parent runs `children` tasks through a `task_group` in a 2-slot `task_arena` and
/// waits for them in `wait()`, where it runs some itself (TBB's model: the parent is one of
/// the 2 threads).
inline double tbb_fanout(int children, double seconds) {
  tbb::task_arena arena(2);
  tbb::task_group group;
  return rounds_per_second(seconds, [&] {
    std::latch done(children);
    arena.execute([&] {
      for (int c = 0; c < children; ++c) group.run([&done] { trivial_task(done); });
      group.wait();
    });
  });
}
#else
inline double tbb_fanout(int, double) {
  return 0;
}
#endif

}  // namespace bench
