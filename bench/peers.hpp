#pragma once

// Peers of nanofaas' asynchronous path (its own workloads are in workloads.hpp): what a C++
// engineer would use instead, each doing the same trivial work per task (`trivial_task`),
// with 2 threads running tasks, timed from the first submit until the last task has run.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/policy.hpp>

#ifdef NANOFAAS_BENCH_WITH_TBB
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <latch>
#include <thread>
#include <vector>

#include "workloads.hpp"

namespace bench {

/// The floor: the same trivial work called directly, `n` times, on the producing thread.
inline double direct_throughput(int n) {
  std::latch done(n);
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) trivial_task(done);
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}

/// The floor for handing tasks to another thread: no engine, a producer filling a
/// single-producer ring of task indexes and one spinning thread running `trivial_task` for
/// each. What any engine whose producer returns at once (nanofaas, asio, CAF) could reach.
inline double handoff_floor_throughput(int n) {
  std::vector<std::atomic<int>> ring(static_cast<std::size_t>(n));
  std::latch done(n);
  std::atomic<int> written{0};
  std::thread consumer([&] {
    for (int read = 0; read < n;) {
      const int available = written.load(std::memory_order_acquire);
      for (; read < available; ++read) {
        if (ring[static_cast<std::size_t>(read)].load(std::memory_order_relaxed) != read) {
          std::abort();
        }
        trivial_task(done);
      }
    }
  });
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    ring[static_cast<std::size_t>(i)].store(i, std::memory_order_relaxed);
    written.store(i + 1, std::memory_order_release);
  }
  done.wait();
  const double rate = n / std::chrono::duration<double>(steady::now() - t0).count();
  consumer.join();
  return rate;
}

#ifdef NANOFAAS_BENCH_WITH_TBB
inline constexpr bool have_tbb = true;

/// oneTBB: `n` tasks run through one `task_group` in a two-slot `task_arena`. The producing
/// thread takes one slot (TBB reserves one for the thread that enters the arena), so one TBB
/// worker steals tasks while the producer spawns them, and the producer runs the rest in
/// `wait()`: 2 threads run tasks, the producer being one of them (TBB's model). With
/// `threads` = 1 the producer spawns every task, then runs them all in `wait()`.
inline double tbb_task_group_throughput(int n, int threads = 2) {
  tbb::task_arena arena(threads);
  tbb::task_group group;
  arena.execute([&group] {  // warm up: start the arena's worker thread
    std::latch warm(1000);
    for (int i = 0; i < 1000; ++i) group.run([&warm] { trivial_task(warm); });
    group.wait();
  });
  std::latch done(n);
  const auto t0 = steady::now();
  arena.execute([&group, &done, n] {
    for (int i = 0; i < n; ++i) group.run([&done] { trivial_task(done); });
    group.wait();
  });
  done.wait();
  return n / std::chrono::duration<double>(steady::now() - t0).count();
}

/// The open-loop peer of `async_start_latency` on oneTBB: `task_arena::enqueue` (fire and
/// forget) into an arena of 2 worker threads with no slot for the producer, which stays
/// outside as nanofaas' and asio's producers do (TBB's default would allow only nproc - 1 = 1
/// worker here, hence the `global_control`).
inline OpenLoopResult tbb_enqueue_start_latency(const OpenLoop& schedule) {
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, 3);
  tbb::task_arena arena(2, 0);
  return drive_open_loop(schedule, [&arena](nanofaas::LoadTicket ticket) {
    arena.enqueue([ticket] { ticket.done(); });
    return true;
  });
}
#else
inline constexpr bool have_tbb = false;

inline OpenLoopResult tbb_enqueue_start_latency(const OpenLoop&) {
  return {};
}

/// oneTBB was not found at build time (scripts/setup.sh bench installs it).
inline double tbb_task_group_throughput(int, int = 2) {
  return 0;
}
#endif

/// One Boost.Fiber per task: the producer pushes each task into a `buffered_channel` shared by
/// `thread_count` threads (2); each thread's main fiber pops a task and launches a new detached
/// fiber for it with `launch::dispatch` (it runs at once), on Boost.Fiber's default scheduler
/// (round_robin) and default stack (fixedsize_stack, 128 KiB from malloc). Measured per task: the
/// channel handoff plus creating, entering, running, leaving and destroying a fiber. Idle threads
/// park in the channel (a condition variable), as asio's do.
inline double fiber_per_task_throughput(int n, int thread_count = 2) {
  using Task = std::function<void()>;  // a one-reference capture fits its small buffer
  boost::fibers::buffered_channel<Task> channel(1024);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&channel] {
      Task task;
      while (channel.pop(task) == boost::fibers::channel_op_status::success) {
        boost::fibers::fiber(boost::fibers::launch::dispatch, std::move(task)).detach();
      }
    });
  }
  std::latch warm(1000);  // warm up: the threads' schedulers and the stacks' heap
  for (int i = 0; i < 1000; ++i) channel.push([&warm] { trivial_task(warm); });
  warm.wait();
  std::latch done(n);
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) channel.push([&done] { trivial_task(done); });
  done.wait();
  const double rate = n / std::chrono::duration<double>(steady::now() - t0).count();
  channel.close();
  for (auto& thread : threads) thread.join();
  return rate;
}

/// `std::async(std::launch::async)` per task: a new thread per task. At most `window` tasks
/// are in flight (the oldest future is waited for first), as holding `n` futures would hold
/// `n` threads.
inline double std_async_throughput(int n, std::size_t window = 256) {
  std::latch done(n);
  std::deque<std::future<void>> in_flight;
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    if (in_flight.size() == window) {
      in_flight.front().wait();
      in_flight.pop_front();
    }
    in_flight.push_back(std::async(std::launch::async, [&done] { trivial_task(done); }));
  }
  done.wait();
  const double rate = n / std::chrono::duration<double>(steady::now() - t0).count();
  in_flight.clear();
  return rate;
}

/// The open-loop peer of `async_start_latency`: boost::asio::thread_pool(2) post, each task
/// carrying its ticket and completing it first.
inline OpenLoopResult asio_post_start_latency(const OpenLoop& schedule) {
  boost::asio::thread_pool pool(2);
  auto result = drive_open_loop(schedule, [&pool](nanofaas::LoadTicket ticket) {
    boost::asio::post(pool, [ticket] { ticket.done(); });
    return true;
  });
  pool.join();
  return result;
}

}  // namespace bench
