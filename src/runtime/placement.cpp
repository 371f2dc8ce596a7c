#include "runtime/placement.hpp"

#include "runtime/tick_clock.hpp"

namespace nanofaas::detail {
namespace {

// The scan behind `pick_worker`: every worker's backlog and state.
Worker& scan(const std::vector<std::unique_ptr<Worker>>& workers) noexcept {
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
  if (spinning != nullptr) return *spinning;
  return busy != nullptr ? *busy : *least;
}

}  // namespace

Worker& pick_worker(const std::vector<std::unique_ptr<Worker>>& workers,
                    std::atomic<std::uint32_t>& last) noexcept {
  const std::uint32_t hint = last.load(std::memory_order_relaxed);
  if (hint < workers.size()) {
    Worker& w = *workers[hint];
    if (w.spinning() && w.backlog() < awake_backlog) return w;
  }
  Worker& picked = scan(workers);
  if (picked.index() != hint) last.store(picked.index(), std::memory_order_relaxed);
  return picked;
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

}  // namespace nanofaas::detail
