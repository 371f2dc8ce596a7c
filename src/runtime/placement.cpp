#include "runtime/placement.hpp"

#include "runtime/tick_clock.hpp"

namespace nanofaas::detail {
namespace {

// What placement finds among the workers: an awake one with a short backlog (spinning, or
// busy briefly), if any, and the least loaded one.
struct Scan {
  Worker* awake = nullptr;
  Worker* least = nullptr;
};

Scan scan(const std::vector<std::unique_ptr<Worker>>& workers) noexcept {
  Worker* least = nullptr;
  Worker* spinning = nullptr;
  Worker* busy = nullptr;
  std::uint32_t least_backlog = 0;
  std::uint32_t spinning_backlog = awake_backlog;
  std::uint32_t busy_backlog = awake_backlog;
  std::chrono::steady_clock::time_point now{};
  for (const auto& w : workers) {
    const std::uint32_t backlog = w->backlog();
    if (least == nullptr || backlog < least_backlog) {
      least = w.get();
      least_backlog = backlog;
    }
    if (backlog >= awake_backlog) continue;
    if (w->spinning()) {
      if (backlog < spinning_backlog) {
        spinning = w.get();
        spinning_backlog = backlog;
      }
    } else if (backlog < busy_backlog) {
      if (now == std::chrono::steady_clock::time_point{}) now = TickClock::now();
      if (w->busy_briefly(now)) {
        busy = w.get();
        busy_backlog = backlog;
      }
    }
  }
  return {spinning != nullptr ? spinning : busy, least};
}

// The worker picked last, while it still spins with a short backlog; else null.
Worker* last_if_awake(const std::vector<std::unique_ptr<Worker>>& workers,
                      std::uint32_t last) noexcept {
  if (last >= workers.size()) return nullptr;
  Worker& w = *workers[last];
  return w.spinning() && w.backlog() < awake_backlog ? &w : nullptr;
}

Worker* remember(Worker* picked, std::uint32_t hint, std::atomic<std::uint32_t>& last) noexcept {
  if (picked != nullptr && picked->index() != hint) {
    last.store(picked->index(), std::memory_order_relaxed);
  }
  return picked;
}

}  // namespace

Worker& pick_worker(const std::vector<std::unique_ptr<Worker>>& workers,
                    std::atomic<std::uint32_t>& last) noexcept {
  const std::uint32_t hint = last.load(std::memory_order_relaxed);
  if (Worker* w = last_if_awake(workers, hint)) return *w;
  const Scan found = scan(workers);
  return *remember(found.awake != nullptr ? found.awake : found.least, hint, last);
}

Worker* pick_awake_worker(const std::vector<std::unique_ptr<Worker>>& workers,
                          std::atomic<std::uint32_t>& last) noexcept {
  const std::uint32_t hint = last.load(std::memory_order_relaxed);
  if (Worker* w = last_if_awake(workers, hint)) return w;
  return remember(scan(workers).awake, hint, last);
}

Worker& pick_worker_to_init(const std::vector<std::unique_ptr<Worker>>& workers) noexcept {
  Worker* least = nullptr;
  std::uint32_t least_backlog = 0;
  bool least_spins = false;
  for (const auto& w : workers) {
    const std::uint32_t backlog = w->backlog();
    const bool spins = w->spinning();
    if (least == nullptr || backlog < least_backlog ||
        (backlog == least_backlog && spins && !least_spins)) {
      least = w.get();
      least_backlog = backlog;
      least_spins = spins;
    }
  }
  return *least;
}

void post_anywhere(const std::vector<std::unique_ptr<Worker>>& workers,
                   std::atomic<std::uint32_t>& last, SharedJobs& shared, const Job& job) {
  if (Worker* w = pick_awake_worker(workers, last)) {
    w->post(Task::run(job));
    return;
  }
  shared.push(job);
  // Pairs with the parker's CAS to `parked` and its look at the count after it: either a
  // worker sees the job, or this sees it asleep.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // A spinning worker takes the job at once; else wake a sleeper. A busy or just-woken worker
  // looks at the shared jobs before it sleeps too, but may first run a long handler.
  Worker* sleeper = nullptr;
  for (const auto& w : workers) {
    if (w->spinning()) return;
    if (sleeper == nullptr && w->asleep()) sleeper = w.get();
  }
  if (sleeper != nullptr) sleeper->unpark();
}

}  // namespace nanofaas::detail
