#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <boost/fiber/fiber.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <latch>
#include <memory>
#include <thread>
#include <utility>

#include "runtime/held_work.hpp"
#include "runtime/idle_spin.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/parker.hpp"
#include "runtime/stack_allocator.hpp"
#include "runtime/task.hpp"
#include "runtime/worker_config.hpp"
#include "runtime/worker_hooks.hpp"

namespace nanofaas::detail {

/// One worker thread running a Boost.Fiber scheduler with `WorkerAlgorithm`: the fibers
/// started on it, an inbox other threads post to, and its own stacks. It runs fibers and jobs
/// and knows nothing of what they are for.
class Worker {
 public:
  Worker(const WorkerConfig& config, WorkerHooks& hooks, std::uint32_t index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the thread; returns once its scheduler is installed.
  void start();
  /// Joins the thread (after a `stop` task).
  void join();

  /// Hands a task over; wakes the worker if it sleeps. Any thread, lock-free.
  void post(const Task& task);
  /// Starts a detached fiber running `body` on one of this worker's stacks; the worker does
  /// not stop before it returns. On this worker's thread only; throws when no stack can be
  /// mapped (then nothing was started).
  template <class F>
  void spawn(F&& body) {
    ++live_fibers_;
    try {
      boost::fibers::fiber fiber(std::allocator_arg, CachedStackAllocator(stacks_),
                                 [this, body = std::forward<F>(body)]() mutable {
                                   body();
                                   on_fiber_exit();
                                 });
      fiber.detach();
    } catch (...) {
      --live_fibers_;
      throw;
    }
  }
  /// A joinable fiber on this worker running `body`, on one of its stacks. On this worker
  /// only; throws when no stack can be mapped.
  boost::fibers::fiber launch(std::function<void()> body);
  /// Makes the suspended fiber of `mailbox` ready (its `item` or `closed` set by the caller).
  /// On this worker only.
  void resume(Mailbox& mailbox) noexcept;
  /// Resumes the fiber of `mailbox` if it waits to be woken (`Mailbox::waiting`). On this
  /// worker only.
  void wake(Mailbox& mailbox) noexcept;

  /// True when a delivery a caller waits for was posted and not yet taken in. Any thread
  /// (a hint).
  bool has_waiting_callers() const noexcept {
    return waiting_callers_.load(std::memory_order_relaxed) != 0;
  }
  /// True while the worker spins for work: a task posted to it runs at once, with no futex
  /// wake. Any thread (a hint).
  bool spinning() const noexcept {
    return idle_.load(std::memory_order_relaxed) && !parker_.sleeping();
  }
  /// True while the worker sleeps and nobody woke it yet. Any thread (a hint, seq_cst: see
  /// `SharedJobs::push`).
  bool asleep() const noexcept { return parker_.asleep(); }
  /// Wakes the worker if it sleeps (to look at its shared jobs). Any thread.
  void unpark() noexcept { parker_.unpark(); }
  /// How long a handler may run and still count as brief (`busy_briefly`).
  static constexpr std::chrono::microseconds brief_run{50};
  /// True while the worker is likely to be done within `brief_run`: it left its idle wait, or
  /// began a handler whose last run was brief, at most `brief_run` before `now` (steady).
  /// False when it sleeps, spins, runs a handler not known to be brief, or has run for
  /// longer. Any thread (a hint); always false without an idle spin.
  bool busy_briefly(std::chrono::steady_clock::time_point now) const noexcept {
    const auto since = began_.load(std::memory_order_relaxed);
    return !idle_.load(std::memory_order_relaxed) && since != 0 &&
           now.time_since_epoch().count() - since <= std::chrono::nanoseconds(brief_run).count();
  }
  /// A handler begins now (steady `now`); `brief`: its last run was. On this worker only.
  void begin_handler(std::chrono::steady_clock::time_point now, bool brief) noexcept {
    if (!idle_spin_.enabled()) return;  // never awake for placement: it sleeps when idle
    began_.store(brief ? now.time_since_epoch().count() : 0, std::memory_order_relaxed);
  }
  /// Work placed on this worker and not finished, and tasks posted and not taken in. Any
  /// thread (a hint).
  std::uint32_t backlog() const noexcept {
    return load.load(std::memory_order_relaxed) + inbox_count_.load(std::memory_order_relaxed);
  }
  /// True once the worker got its stop task. On this worker only.
  bool stopping() const noexcept { return stopping_; }
  /// The worker whose thread this is, or nullptr on other threads.
  static Worker* current() noexcept;
  /// Who built this worker (tells an owner's workers from another's).
  const WorkerHooks& hooks() const noexcept { return *hooks_; }
  std::uint32_t index() const noexcept { return index_; }

  /// Work items placed on this worker and not finished (for placement by the owner).
  std::atomic<std::uint32_t> load{0};
  /// Work the running fiber holds for others: released by the scheduler if that fiber
  /// suspends (see `HeldWork`). On this worker only.
  HeldWork* holding = nullptr;

 private:
  friend class WorkerAlgorithm;
  void thread_main();
  void wake_main() noexcept;
  void on_fiber_exit() noexcept;

  WorkerHooks* hooks_;
  IdleSpin idle_spin_;
  SharedJobs* shared_jobs_;
  std::uint32_t index_;
  std::thread thread_;
  std::latch started_{1};

  moodycamel::ConcurrentQueue<Task> inbox_;
  std::atomic<std::uint32_t> inbox_count_{0};
  std::atomic<std::uint32_t> waiting_callers_{0};  // posted deliveries a caller waits for
  std::atomic<bool> idle_{false};                  // in its idle wait: spinning or asleep
  std::atomic<std::int64_t> began_{0};  // steady ns it woke or began a brief handler; 0: neither
  Parker parker_;

  // Worker-thread-only state.
  std::deque<Job> jobs_;  // run by the main fiber
  boost::fibers::context* main_fiber_ = nullptr;
  bool main_waiting_ = false;
  bool stopping_ = false;
  std::uint32_t live_fibers_ = 0;  // started with `spawn` and not returned
  StackCache stacks_;
};

}  // namespace nanofaas::detail
