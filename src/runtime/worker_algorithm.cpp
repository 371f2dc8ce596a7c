#include "runtime/worker_algorithm.hpp"

#include <utility>

#include "runtime/tick_clock.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {

WorkerAlgorithm::WorkerAlgorithm(Worker& worker) noexcept
    : worker_(&worker), shared_(worker.shared_jobs_), switches_(worker.stacks_) {}

void WorkerAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  ctx->ready_link(ready_);
}

boost::fibers::context* WorkerAlgorithm::take_first(ReadyQueue& queue,
                                                    const boost::fibers::context* self) noexcept {
  auto it = queue.begin();
  if (it != queue.end() && &*it == self) ++it;
  if (it == queue.end()) return nullptr;
  boost::fibers::context* ctx = &*it;
  queue.erase(it);
  return ctx;
}

boost::fibers::context* WorkerAlgorithm::pick_next() noexcept {
  // The running fiber leaves in the middle of its work (it suspended): what it holds for
  // others must not wait for it.
  if (HeldWork* held = std::exchange(worker_->holding, nullptr)) held->release();
  bool drained = worker_->inbox_count_.load(std::memory_order_acquire) != 0;
  if (drained) drain_inbox();
  // Shared jobs when nothing else is ready, and now and then among other work (so that a busy
  // worker's stream of its own work cannot hold them back for ever).
  if (shared_ != nullptr && (ready_.empty() || ++picks_ % 16 == 0)) drained |= take_shared();
  // A task taken in just now may have made the suspending fiber itself ready (an environment
  // back in its pool got its next invocation): a fiber cannot resume itself, so it waits for
  // the next pick. Boost keeps its dispatcher in `ready_` while another fiber runs, so there
  // is always something else to pick.
  const boost::fibers::context* self = drained ? boost::fibers::context::active() : nullptr;
  if (streak_ < caller_streak || ready_.empty()) {
    if (boost::fibers::context* ctx = take_first(callers_, self)) {
      ++streak_;
      return switches_.switching_to(ctx);
    }
  }
  streak_ = 0;
  if (boost::fibers::context* ctx = take_first(ready_, self)) return switches_.switching_to(ctx);
  // Null only when Boost's dispatcher asks and nothing is ready: then it waits, no switch.
  return switches_.switching_to(take_first(callers_, self));
}

bool WorkerAlgorithm::has_ready_fibers() const noexcept {
  return !ready_.empty() || !callers_.empty() ||
         worker_->inbox_count_.load(std::memory_order_relaxed) != 0;
}

void WorkerAlgorithm::suspend_until(
    std::chrono::steady_clock::time_point const& deadline) noexcept {
  // Idle time first tops up the stack reserve, one stack at a time so that new work waits
  // for one mapping at most.
  while (worker_->inbox_count_.load(std::memory_order_acquire) == 0 &&
         worker_->stacks_.refill_one()) {
  }
  if (worker_->inbox_count_.load(std::memory_order_acquire) != 0 || take_shared()) return;
  IdleSpin& idle = worker_->idle_spin_;
  const bool adapt = idle.enabled();  // no clock reads for a worker that never spins
  const auto spin = adapt ? idle.begin() : std::chrono::nanoseconds(0);
  const auto idle_since = adapt ? TickClock::now() : TickClock::time_point{};
  worker_->idle_.store(true, std::memory_order_relaxed);
  worker_->parker_.park(deadline, spin, shared_ != nullptr ? &shared_->count() : nullptr);
  // What wakes an idle worker is mostly brief (a pump, a delivery): it counts as busy briefly
  // until a handler not known to be brief begins (0 without an idle spin: never).
  const auto woke = adapt ? TickClock::now() : TickClock::time_point{};
  worker_->began_.store(woke.time_since_epoch().count(), std::memory_order_relaxed);
  worker_->idle_.store(false, std::memory_order_relaxed);
  if (adapt) idle.end(woke - idle_since);
  take_shared();  // what ended the wait, if it was a shared job
}

bool WorkerAlgorithm::move_shared() noexcept {
  Job jobs[shared_batch];
  const std::size_t n = shared_->take(jobs, shared_batch);
  if (n == 0) return false;
  for (std::size_t i = 0; i < n; ++i) worker_->jobs_.push_back(jobs[i]);
  if (worker_->main_waiting_) worker_->wake_main();
  return true;
}

void WorkerAlgorithm::notify() noexcept {
  worker_->parker_.unpark();
}

void WorkerAlgorithm::drain_inbox() noexcept {
  // Room for a batch of tasks, left uninitialised: filling 32 tasks with their defaults on
  // every pick would cost more than the hand-over (a Task is an aggregate, so assigning one
  // into the storage starts its life).
  constexpr std::size_t batch = 32;
  alignas(Task) unsigned char storage[batch * sizeof(Task)];
  Task* const tasks = reinterpret_cast<Task*>(storage);
  // moodycamel may miss an item that is being enqueued; the count keeps the worker from
  // sleeping until it shows up.
  const std::size_t n = worker_->inbox_.try_dequeue_bulk(tasks, batch);
  if (n == 0) return;
  worker_->inbox_count_.fetch_sub(static_cast<std::uint32_t>(n), std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    const Task& task = tasks[i];
    switch (task.kind) {
      case Task::Kind::deliver:
        task.mailbox->item = task.item;
        if (task.caller_waits) {
          worker_->waiting_callers_.fetch_sub(1, std::memory_order_relaxed);
          task.mailbox->fiber->ready_link(callers_);
        } else {
          awakened(task.mailbox->fiber);
        }
        break;
      case Task::Kind::close:
        task.mailbox->closed = true;
        awakened(task.mailbox->fiber);
        break;
      case Task::Kind::wake: worker_->wake(*task.mailbox); break;
      case Task::Kind::job:
      case Task::Kind::stop:
        worker_->jobs_.push_back(task.kind == Task::Kind::job ? task.job : Job{&stop});
        if (worker_->main_waiting_) worker_->wake_main();
        break;
    }
  }
}

void WorkerAlgorithm::stop(Worker& worker, const Job&) {
  worker.stopping_ = true;
}

}  // namespace nanofaas::detail
