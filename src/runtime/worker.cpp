#include "runtime/worker.hpp"

#include <pthread.h>

#include <cstdio>

#include <boost/fiber/context.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>

#include "core/engine_core.hpp"
#include "core/function.hpp"
#include "esm/poller.hpp"
#include "exec/environment.hpp"
#include "exec/invocation.hpp"
#include "runtime/engine_algorithm.hpp"

namespace nanofaas::detail {
namespace {
__attribute__((tls_model("initial-exec"))) thread_local Worker* current_worker = nullptr;
constexpr auto reap_interval = std::chrono::seconds(1);
constexpr auto delay_poll = std::chrono::milliseconds(1);
}  // namespace

Worker::Worker(EngineCore& engine, std::uint32_t index)
    : engine_(&engine),
      index_(index),
      stacks_(engine.config.stack_size, engine.config.stack_reserve) {}

Worker::~Worker() = default;

Worker* Worker::current() noexcept {
  return current_worker;
}

void Worker::start() {
  thread_ = std::thread([this] { thread_main(); });
  started_.wait();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::post(const Task& task) {
  if (task.kind == Task::Kind::run && task.invocation->async == nullptr) {
    waiting_callers_.fetch_add(1, std::memory_order_relaxed);
  }
  inbox_.enqueue(task);
  inbox_count_.fetch_add(1, std::memory_order_release);
  parker_.unpark();
}

void Worker::resume(Environment& env) noexcept {
  boost::fibers::context::active()->schedule(env.fiber);
}

void Worker::spawn_environment(Version& version, Invocation* first, bool provisioned,
                               ProvisionLatch* latch) {
  auto* env = new Environment(version, *this, first, provisioned, latch);
  version.pool.environments.fetch_add(1, std::memory_order_relaxed);
  ++live_environments_;
  try {
    boost::fibers::fiber fiber(std::allocator_arg, CachedStackAllocator(stacks_),
                               [env] { env->run(); });
    fiber.detach();
  } catch (const std::exception&) {
    // No stack could be mapped: the environment fails like an init error.
    env->fail_to_start("Runtime.OutOfMemory", "no stack for a new execution environment");
  }
}

void Worker::start_poller(Poller& poller) {
  ++live_environments_;
  boost::fibers::fiber fiber(std::allocator_arg, CachedStackAllocator(stacks_), [this, &poller] {
    run_poller(poller);
    on_environment_exit();
  });
  fiber.detach();
}

void Worker::wake_poller(Poller& poller) noexcept {
  if (!poller.waiting || poller.fiber->ready_is_linked()) return;
  poller.waiting = false;
  main_fiber_->get_scheduler()->schedule(poller.fiber);
}

boost::fibers::fiber Worker::launch(std::function<void()> body) {
  return boost::fibers::fiber(std::allocator_arg, CachedStackAllocator(stacks_), std::move(body));
}

void Worker::on_environment_exit() noexcept {
  --live_environments_;
  if (stopping_ && live_environments_ == 0 && main_waiting_) wake_main();
}

void Worker::wake_main() noexcept {
  main_waiting_ = false;
  if (!main_fiber_->ready_is_linked()) main_fiber_->get_scheduler()->schedule(main_fiber_);
}

void Worker::run_control_task(const Task& task) {
  switch (task.kind) {
    case Task::Kind::create:
      spawn_environment(*task.version, task.invocation, task.invocation == nullptr, task.latch);
      break;
    case Task::Kind::stop: stopping_ = true; break;
    case Task::Kind::pump: engine_->pump(*task.version, *this); break;
    case Task::Kind::start_poller: start_poller(*task.poller); break;
    default: break;
  }
}

void Worker::thread_main() {
  current_worker = this;
  // Named for `top -H`, perf and debuggers: "nanofaas-w0", "nanofaas-w1", ...
  char name[16];
  std::snprintf(name, sizeof name, "nanofaas-w%u", index_ % 100000);
  pthread_setname_np(pthread_self(), name);
  boost::fibers::use_scheduling_algorithm<EngineAlgorithm>(*this);
  main_fiber_ = boost::fibers::context::active();
  while (stacks_.refill_one()) {
  }
  started_.count_down();
  auto next_reap = std::chrono::steady_clock::now() + reap_interval;
  // The thread's main fiber runs control work (creating environment fibers, stopping) and,
  // on worker 0, the keep-alive reaper; environments run on their own fibers.
  for (;;) {
    while (!control_tasks_.empty()) {
      const Task task = control_tasks_.front();
      control_tasks_.pop_front();
      run_control_task(task);
    }
    if (stopping_) {
      if (live_environments_ == 0) break;
      // Environments that became idle after the engine's last sweep (a provisioned one
      // replacing a lost one, say) are swept again until none is left.
      engine_->retire_all_idle();
      main_waiting_ = true;
      main_fiber_->wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(1));
      main_waiting_ = false;
      continue;
    }
    auto wake = std::chrono::steady_clock::time_point::max();
    if (index_ == 0) {
      if (std::chrono::steady_clock::now() >= next_reap) {
        engine_->reclaim_idle_environments();
        next_reap = std::chrono::steady_clock::now() + reap_interval;
      }
      // Delayed async events (retries, throttle backoff) are due by the engine's clock,
      // which may be a test's: look every millisecond while there are any.
      wake =
          engine_->release_due_events() ? std::chrono::steady_clock::now() + delay_poll : next_reap;
    }
    main_waiting_ = true;
    main_fiber_->wait_until(wake);
    main_waiting_ = false;
  }
  current_worker = nullptr;
}

}  // namespace nanofaas::detail
