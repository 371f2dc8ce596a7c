#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <boost/fiber/fiber.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <latch>
#include <thread>

#include "runtime/parker.hpp"
#include "runtime/stack_allocator.hpp"

namespace nanofaas::detail {

struct EngineCore;
struct Invocation;
struct Poller;
struct Version;
class Environment;
class ProvisionLatch;

/// Work handed to a worker from any thread.
struct Task {
  enum class Kind : std::uint8_t { run, create, retire, stop, pump, start_poller, wake_poller };
  Kind kind = Kind::run;
  Environment* env = nullptr;        // run, retire
  Invocation* invocation = nullptr;  // run, create (null: provisioning)
  Version* version = nullptr;        // create, pump
  ProvisionLatch* latch = nullptr;   // create for provisioning
  Poller* poller = nullptr;          // start_poller, wake_poller
};

/// One worker thread running a Boost.Fiber scheduler with `EngineAlgorithm`: the environments
/// placed on it, an inbox other threads post to, and its own stacks.
class Worker {
 public:
  Worker(EngineCore& engine, std::uint32_t index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the thread; returns once its scheduler is installed.
  void start();
  /// Joins the thread (after a `stop` task).
  void join();

  /// Hands a task over; wakes the worker if it sleeps. Any thread, lock-free.
  void post(const Task& task);
  /// Creates an environment fiber on this worker. On this worker's thread only.
  void spawn_environment(Version& version, Invocation* first, bool provisioned,
                         ProvisionLatch* latch);
  /// Makes a suspended environment run its `pending` invocation. On this worker only.
  void resume(Environment& env) noexcept;
  /// An environment or poller fiber ended. On this worker only.
  void on_environment_exit() noexcept;
  /// Starts an event source mapping's poller fiber. On this worker only.
  void start_poller(Poller& poller);
  /// Resumes `poller` if it waits for records (see `Poller::waiting`). On this worker only.
  void wake_poller(Poller& poller) noexcept;
  /// A joinable fiber on this worker running `body`, on one of its stacks. On this worker
  /// only; throws when no stack can be mapped.
  boost::fibers::fiber launch(std::function<void()> body);

  /// True when an invocation a caller waits for (sync, or a mapping's batch) was posted and
  /// not yet taken in. Any thread (a hint).
  bool has_waiting_callers() const noexcept {
    return waiting_callers_.load(std::memory_order_relaxed) != 0;
  }
  /// True once the worker got its stop task. On this worker only.
  bool stopping() const noexcept { return stopping_; }
  /// The worker whose thread this is, or nullptr on other threads.
  static Worker* current() noexcept;

  EngineCore& engine() noexcept { return *engine_; }
  std::uint32_t index() const noexcept { return index_; }
  /// Invocations placed on this worker and not finished (for placement).
  std::atomic<std::uint32_t> load{0};
  /// The environment whose handler runs now while it holds queued events it took in bulk.
  /// Should that handler suspend (a nested call that waits, a sleep, any fiber wait), the scheduler
  /// hands those events back to the queue so that they do not wait for it. On this worker only.
  Environment* holding_events = nullptr;

 private:
  friend class EngineAlgorithm;
  void thread_main();
  void wake_main() noexcept;
  void run_control_task(const Task& task);

  EngineCore* engine_;
  std::uint32_t index_;
  std::thread thread_;
  std::latch started_{1};

  moodycamel::ConcurrentQueue<Task> inbox_;
  std::atomic<std::uint32_t> inbox_count_{0};
  std::atomic<std::uint32_t> waiting_callers_{0};  // posted runs of sync and batch calls
  Parker parker_;

  // Worker-thread-only state.
  std::deque<Task> control_tasks_;  // create/stop, run by the main fiber
  boost::fibers::context* main_fiber_ = nullptr;
  bool main_waiting_ = false;
  bool stopping_ = false;
  std::uint32_t live_environments_ = 0;  // environment and poller fibers
  StackCache stacks_;
};

}  // namespace nanofaas::detail
