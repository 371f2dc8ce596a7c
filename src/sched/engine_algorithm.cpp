#include "sched/engine_algorithm.hpp"

#include <array>
#include <utility>

#include "engine_core.hpp"
#include "environment.hpp"
#include "invocation.hpp"
#include "worker.hpp"

namespace nanofaas::detail {

void EngineAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  ctx->ready_link(ready_);
}

boost::fibers::context* EngineAlgorithm::pick_next() noexcept {
  const bool drained = worker_->inbox_count_.load(std::memory_order_acquire) != 0;
  if (drained) drain_inbox();
  if (ready_.empty()) return nullptr;
  boost::fibers::context* next = &ready_.front();
  ready_.pop_front();
  if (drained && next == boost::fibers::context::active()) {
    // The fiber that is suspending was made ready by a task taken in just now (an environment
    // back in its pool got its next invocation): a fiber cannot resume itself. Another ready
    // fiber, or else Boost's dispatcher, runs first, and this one right after. Only a task
    // taken in by this pick can do that.
    boost::fibers::context* other = nullptr;
    if (!ready_.empty()) {
      other = &ready_.front();
      ready_.pop_front();
    }
    ready_.push_front(*next);
    return other;
  }
  return next;
}

bool EngineAlgorithm::has_ready_fibers() const noexcept {
  return !ready_.empty() || worker_->inbox_count_.load(std::memory_order_relaxed) != 0;
}

void EngineAlgorithm::suspend_until(
    std::chrono::steady_clock::time_point const& deadline) noexcept {
  // Idle time first tops up the stack reserve, one stack at a time so that new work waits
  // for one mapping at most.
  while (worker_->inbox_count_.load(std::memory_order_acquire) == 0 &&
         worker_->stacks_.refill_one()) {
  }
  if (worker_->inbox_count_.load(std::memory_order_acquire) != 0) return;
  worker_->parker_.park(deadline, worker_->engine().config.idle_spin);
}

void EngineAlgorithm::notify() noexcept {
  worker_->parker_.unpark();
}

void EngineAlgorithm::drain_inbox() noexcept {
  std::array<Task, 32> tasks;
  // moodycamel may miss an item that is being enqueued; the count keeps the worker from
  // sleeping until it shows up.
  const std::size_t n = worker_->inbox_.try_dequeue_bulk(tasks.begin(), tasks.size());
  if (n == 0) return;
  worker_->inbox_count_.fetch_sub(static_cast<std::uint32_t>(n), std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    const Task& task = tasks[i];
    switch (task.kind) {
      case Task::Kind::run:
        task.env->pending = task.invocation;
        if (task.invocation->async == nullptr) {
          // A caller waits for this one (sync or batch): it runs before queued Event work.
          ready_.push_front(*task.env->fiber);
        } else {
          awakened(task.env->fiber);
        }
        break;
      case Task::Kind::retire:
        task.env->retire = true;
        awakened(task.env->fiber);
        break;
      case Task::Kind::wake_poller: worker_->wake_poller(*task.poller); break;
      case Task::Kind::create:
      case Task::Kind::stop:
      case Task::Kind::pump:
      case Task::Kind::start_poller:
        worker_->control_tasks_.push_back(task);
        if (worker_->main_waiting_) worker_->wake_main();
        break;
    }
  }
}

}  // namespace nanofaas::detail
