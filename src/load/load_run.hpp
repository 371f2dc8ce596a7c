#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "nanofaas/load_generator.hpp"
#include "nanofaas/metrics.hpp"

namespace nanofaas::detail {

/// Nanoseconds since the clock's epoch.
inline std::int64_t now_ns(const Clock& clock) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock.now().time_since_epoch())
      .count();
}

/// What one thread recorded of one run's completions. Only the owning thread writes it, so
/// completions on different threads share no cache line; the run merges the slots at the end.
struct alignas(64) CompletionSlot {
  std::thread::id owner{};
  DurationHistogram latency{};
  std::uint64_t completed = 0;  // measured events only, as are the two below
  std::uint64_t function_errors = 0;
  std::uint64_t engine_errors = 0;
  std::int64_t last_done_ns = std::numeric_limits<std::int64_t>::min();
  /// Every event this thread completed, warm-up included. The last write of a completion: once
  /// the run has seen it, the completing thread no longer touches the run.
  std::atomic<std::uint64_t> finished{0};
};

/// The state one `run_load` call shares with the threads that complete its events.
class LoadRun {
 public:
  LoadRun(const Clock& clock, std::int64_t record_from_ns, std::uint32_t closed_loop_permits);
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  const Clock& clock() const noexcept { return *clock_; }
  /// Events scheduled at or after this are measured; earlier ones are the warm-up.
  std::int64_t record_from_ns() const noexcept { return record_from_ns_; }
  /// The closed loop's calls in flight (async mode), or nullptr.
  std::counting_semaphore<>* permits() noexcept { return permits_.get(); }

  /// This thread's slot, created on its first completion in this run.
  CompletionSlot& slot_of_this_thread();
  /// Waits until `events` completions (warm-up included) have finished.
  void wait_finished(std::uint64_t events) const;
  /// Calls `f(slot)` for every slot. After `wait_finished` only.
  template <class F>
  void for_each_slot(F&& f) const {
    std::lock_guard lock(slots_mutex_);
    for (const auto& slot : slots_) f(*slot);
  }

 private:
  std::uint64_t finished() const;

  const Clock* clock_;
  std::int64_t record_from_ns_;
  std::uint64_t id_;  // unique per run: keys each thread's cached slot
  std::unique_ptr<std::counting_semaphore<>> permits_;
  mutable std::mutex slots_mutex_;
  std::vector<std::unique_ptr<CompletionSlot>> slots_;
};

/// A driver thread's state: what it sent, and in sync mode whether its current call is done.
/// Aligned so that drivers share no cache line.
struct alignas(64) LoadDriver {
  explicit LoadDriver(LoadRun& r, bool wait_each = false) noexcept : run(&r), waits(wait_each) {}

  /// A ticket for an event due at `scheduled_ns`.
  LoadTicket ticket(std::int64_t scheduled_ns) noexcept { return {this, scheduled_ns}; }
  /// Sends one event (retrying refusals) and counts it; in sync mode waits for its completion.
  template <class Send>
  void send(const Send& target, std::int64_t scheduled_ns) {
    const LoadTicket t = ticket(scheduled_ns);
    count_sent(scheduled_ns);
    try {
      while (!target(t)) ++refused;
    } catch (...) {
      // A target that throws did not take the event: it ends here, as an engine error.
      complete(scheduled_ns, LoadOutcome::engine_error);
      throw;
    }
    if (waits) {
      while (call_done.load(std::memory_order_acquire) == 0) call_done.wait(0);
      call_done.store(0, std::memory_order_relaxed);
    }
  }
  /// Records a completion (see `LoadTicket::done`).
  void complete(std::int64_t scheduled_ns, LoadOutcome outcome) noexcept;

  LoadRun* run;
  bool waits;
  std::atomic<std::uint32_t> call_done{0};
  std::uint64_t sent = 0;  // measured
  std::uint64_t warmup_sent = 0;
  std::uint64_t refused = 0;
  std::int64_t first_send_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_send_ns = std::numeric_limits<std::int64_t>::min();

 private:
  // Counts the event as sent now (a measured one's send time is read before the send).
  void count_sent(std::int64_t scheduled_ns) noexcept;
};

}  // namespace nanofaas::detail
