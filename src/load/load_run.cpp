#include "load/load_run.hpp"

#include <algorithm>

namespace nanofaas {

Clock::time_point LoadTicket::scheduled() const noexcept {
  return Clock::time_point(std::chrono::nanoseconds(scheduled_ns_));
}

bool LoadTicket::measured() const noexcept {
  return scheduled_ns_ >= driver_->run->record_from_ns();
}

void LoadTicket::done(LoadOutcome outcome) const noexcept {
  driver_->complete(scheduled_ns_, outcome);
}

namespace detail {

namespace {

std::uint64_t next_run_id() noexcept {
  static std::atomic<std::uint64_t> id{0};
  return id.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace

LoadRun::LoadRun(const Clock& clock, std::int64_t record_from_ns, std::uint32_t closed_loop_permits)
    : clock_(&clock), record_from_ns_(record_from_ns), id_(next_run_id()) {
  if (closed_loop_permits > 0) {
    permits_ = std::make_unique<std::counting_semaphore<>>(closed_loop_permits);
  }
}

CompletionSlot& LoadRun::slot_of_this_thread() {
  // One cached slot per thread: a miss costs a lock once per thread and run.
  thread_local std::uint64_t cached_run = 0;
  thread_local CompletionSlot* cached = nullptr;
  if (cached_run == id_) return *cached;
  const auto me = std::this_thread::get_id();
  std::lock_guard lock(slots_mutex_);
  auto it = std::find_if(slots_.begin(), slots_.end(),
                         [me](const auto& slot) { return slot->owner == me; });
  if (it == slots_.end()) {
    slots_.push_back(std::make_unique<CompletionSlot>());
    slots_.back()->owner = me;
    it = slots_.end() - 1;
  }
  cached_run = id_;
  cached = it->get();
  return *cached;
}

std::uint64_t LoadRun::finished() const {
  std::uint64_t n = 0;
  std::lock_guard lock(slots_mutex_);
  for (const auto& slot : slots_) n += slot->finished.load(std::memory_order_acquire);
  return n;
}

void LoadRun::wait_finished(std::uint64_t events) const {
  // Completions touch no shared word, so nothing can wake this wait: poll, briefly at first.
  // This is the end of the run, after the last send; it adds no latency to any event.
  for (int polls = 0; finished() < events; ++polls) {
    if (polls < 100) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

void LoadDriver::count_sent(std::int64_t scheduled_ns) noexcept {
  if (scheduled_ns < run->record_from_ns()) {
    ++warmup_sent;
    return;
  }
  ++sent;
  const std::int64_t now = now_ns(run->clock());
  first_send_ns = std::min(first_send_ns, now);
  last_send_ns = std::max(last_send_ns, now);
}

void LoadDriver::complete(std::int64_t scheduled_ns, LoadOutcome outcome) noexcept {
  const std::int64_t now = now_ns(run->clock());
  CompletionSlot& slot = run->slot_of_this_thread();
  if (scheduled_ns >= run->record_from_ns()) {
    slot.latency.record(std::chrono::nanoseconds(now - scheduled_ns));
    ++slot.completed;
    if (outcome == LoadOutcome::function_error) ++slot.function_errors;
    if (outcome == LoadOutcome::engine_error) ++slot.engine_errors;
    slot.last_done_ns = std::max(slot.last_done_ns, now);
  }
  if (waits) {
    call_done.store(1, std::memory_order_release);
    call_done.notify_one();
  }
  if (auto* permits = run->permits()) permits->release();
  // Last: after this the run may end and free everything above.
  slot.finished.fetch_add(1, std::memory_order_release);
}

}  // namespace detail
}  // namespace nanofaas
