#pragma once

// "Distinct functions" for peers that have no functions: `functions` distinct handler
// objects (std::function closures, each its own heap object holding its own id), the task
// for event i calling handler i % functions, so that many handlers cost what they cost a
// peer: a cache miss on a cold closure per task. Every handler does `trivial_task`; one
// producer thread, 2 threads running tasks. nanofaas' side is `async_throughput(n, functions)`
// and CAF's is distinct actors (`caf_send_throughput(n, functions)`).

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#ifdef NANOFAAS_BENCH_WITH_TBB
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#endif

#include <chrono>
#include <cstdint>
#include <functional>
#include <latch>
#include <vector>

#include "workloads.hpp"

namespace bench {

/// `functions` distinct closures that count `done` down (24 bytes of capture: on the heap).
inline std::vector<std::function<void()>> distinct_handlers(int functions, std::latch& done) {
  std::vector<std::function<void()>> handlers;
  handlers.reserve(static_cast<std::size_t>(functions));
  for (int f = 0; f < functions; ++f) {
    handlers.emplace_back([&done, id = std::uint64_t(f), salt = std::uint64_t(f) * 31] {
      asm volatile("" : : "r"(id), "r"(salt) : "memory");
      trivial_task(done);
    });
  }
  return handlers;
}

/// boost::asio::thread_pool(2) post, round-robin over `functions` distinct handlers.
inline double asio_distinct_throughput(int n, int functions) {
  boost::asio::thread_pool pool(2);
  std::latch warm(1000);  // warm up: start the pool's threads
  for (int i = 0; i < 1000; ++i) boost::asio::post(pool, [&warm] { trivial_task(warm); });
  warm.wait();
  std::latch done(n);
  const auto handlers = distinct_handlers(functions, done);
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    const std::function<void()>* h = &handlers[static_cast<std::size_t>(i % functions)];
    boost::asio::post(pool, [h] { (*h)(); });
  }
  done.wait();
  const double rate = n / std::chrono::duration<double>(steady::now() - t0).count();
  pool.join();
  return rate;
}

#ifdef NANOFAAS_BENCH_WITH_TBB
/// oneTBB task_group in a 2-slot task_arena (the producer is one of the 2 threads, as in
/// `tbb_task_group_throughput`), round-robin over `functions` distinct handlers.
inline double tbb_distinct_throughput(int n, int functions) {
  tbb::task_arena arena(2);
  tbb::task_group group;
  std::latch warm(1000);
  arena.execute([&] {
    for (int i = 0; i < 1000; ++i) group.run([&warm] { trivial_task(warm); });
    group.wait();
  });
  std::latch done(n);
  const auto handlers = distinct_handlers(functions, done);
  const auto t0 = steady::now();
  arena.execute([&] {
    for (int i = 0; i < n; ++i) {
      const std::function<void()>* h = &handlers[static_cast<std::size_t>(i % functions)];
      group.run([h] { (*h)(); });
    }
    group.wait();
  });
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}
#else
inline double tbb_distinct_throughput(int, int) {
  return 0;
}
#endif

}  // namespace bench
