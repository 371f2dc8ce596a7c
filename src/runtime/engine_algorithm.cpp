#include "runtime/engine_algorithm.hpp"

#include <array>
#include <utility>

#include "core/engine_core.hpp"
#include "exec/environment.hpp"
#include "exec/invocation.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {

void EngineAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  ctx->ready_link(ready_);
}

boost::fibers::context* EngineAlgorithm::take_first(ReadyQueue& queue,
                                                    const boost::fibers::context* self) noexcept {
  auto it = queue.begin();
  if (it != queue.end() && &*it == self) ++it;
  if (it == queue.end()) return nullptr;
  boost::fibers::context* ctx = &*it;
  queue.erase(it);
  return ctx;
}

boost::fibers::context* EngineAlgorithm::pick_next() noexcept {
  // The running fiber leaves in the middle of a handler (it suspended): the events its
  // environment took in bulk must not wait for it.
  if (Environment* env = std::exchange(worker_->holding_events, nullptr)) env->hand_back_taken();
  const bool drained = worker_->inbox_count_.load(std::memory_order_acquire) != 0;
  if (drained) drain_inbox();
  // A task taken in just now may have made the suspending fiber itself ready (an environment
  // back in its pool got its next invocation): a fiber cannot resume itself, so it waits for
  // the next pick. Boost keeps its dispatcher in `ready_` while another fiber runs, so there
  // is always something else to pick.
  const boost::fibers::context* self = drained ? boost::fibers::context::active() : nullptr;
  if (streak_ < caller_streak || ready_.empty()) {
    if (boost::fibers::context* ctx = take_first(callers_, self)) {
      ++streak_;
      return ctx;
    }
  }
  streak_ = 0;
  if (boost::fibers::context* ctx = take_first(ready_, self)) return ctx;
  return take_first(callers_, self);
}

bool EngineAlgorithm::has_ready_fibers() const noexcept {
  return !ready_.empty() || !callers_.empty() ||
         worker_->inbox_count_.load(std::memory_order_relaxed) != 0;
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
          worker_->waiting_callers_.fetch_sub(1, std::memory_order_relaxed);
          task.env->fiber->ready_link(callers_);
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
