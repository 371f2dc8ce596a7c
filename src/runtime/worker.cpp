#include "runtime/worker.hpp"

#include <pthread.h>

#include <cstdio>

#include <boost/fiber/context.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>

#include "runtime/worker_algorithm.hpp"
#include "runtime/worker_identity.hpp"

namespace nanofaas::detail {
namespace {
__attribute__((tls_model("initial-exec"))) thread_local Worker* current_worker = nullptr;
}  // namespace

Worker::Worker(const WorkerConfig& config, WorkerHooks& hooks, std::uint32_t index)
    : hooks_(&hooks),
      idle_spin_(config.idle_spin, config.spin_group),
      shared_jobs_(config.shared_jobs),
      index_(index),
      stacks_(config.stack_size, config.stack_reserve) {}

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
  if (task.caller_waits) waiting_callers_.fetch_add(1, std::memory_order_relaxed);
  inbox_.enqueue(task);
  inbox_count_.fetch_add(1, std::memory_order_release);
  parker_.unpark();
}

void Worker::resume(Mailbox& mailbox) noexcept {
  boost::fibers::context::active()->schedule(mailbox.fiber);
}

void Worker::wake(Mailbox& mailbox) noexcept {
  if (!mailbox.waiting || mailbox.fiber->ready_is_linked()) return;
  mailbox.waiting = false;
  main_fiber_->get_scheduler()->schedule(mailbox.fiber);
}

boost::fibers::fiber Worker::launch(std::function<void()> body) {
  return boost::fibers::fiber(std::allocator_arg, CachedStackAllocator(stacks_), std::move(body));
}

void Worker::on_fiber_exit() noexcept {
  --live_fibers_;
  if (stopping_ && live_fibers_ == 0 && main_waiting_) wake_main();
}

void Worker::wake_main() noexcept {
  main_waiting_ = false;
  if (!main_fiber_->ready_is_linked()) main_fiber_->get_scheduler()->schedule(main_fiber_);
}

void Worker::thread_main() {
  current_worker = this;
  this_worker = {hooks_, index_};
  // Named for `top -H`, perf and debuggers: "nanofaas-w0", "nanofaas-w1", ...
  char name[16];
  std::snprintf(name, sizeof name, "nanofaas-w%u", index_ % 100000);
  pthread_setname_np(pthread_self(), name);
  boost::fibers::use_scheduling_algorithm<WorkerAlgorithm>(*this);
  main_fiber_ = boost::fibers::context::active();
  while (stacks_.refill_one()) {
  }
  started_.count_down();
  // The thread's main fiber runs jobs (creating fibers, say), stopping and, on worker 0, the
  // owner's housekeeping; everything else runs on fibers of its own.
  for (;;) {
    while (!jobs_.empty()) {
      const Job job = jobs_.front();
      jobs_.pop_front();
      job.run(*this, job);
    }
    if (stopping_) {
      if (live_fibers_ == 0) break;
      hooks_->sweep();
      main_waiting_ = true;
      main_fiber_->wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(1));
      main_waiting_ = false;
      continue;
    }
    auto wake = std::chrono::steady_clock::time_point::max();
    if (index_ == 0) wake = hooks_->housekeeping(std::chrono::steady_clock::now());
    main_waiting_ = true;
    main_fiber_->wait_until(wake);
    main_waiting_ = false;
  }
  current_worker = nullptr;
  this_worker = {};
}

}  // namespace nanofaas::detail
