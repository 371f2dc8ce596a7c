// run_load: drives a target on a schedule and records each event from its scheduled send time
// to its completion.

#include "nanofaas/load_generator.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "load/load_run.hpp"
#include "load/progress_bar.hpp"
#include "load/schedule.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas {

namespace {

using detail::LoadDriver;
using detail::LoadRun;
using detail::now_ns;
using detail::OpenSchedule;
using detail::ProgressBar;

// Gaps longer than this are slept through on the steady clock, up to `spin_margin` before the
// due time (a sleep overshoots by tens of µs); shorter ones are spun.
constexpr std::int64_t sleep_threshold_ns = 200'000;
constexpr std::int64_t spin_margin_ns = 100'000;

// Waits until `due_ns` by `clock` and returns the time then. An injected clock is only spun on.
std::int64_t wait_until(const Clock& clock, std::int64_t due_ns) {
  std::int64_t now = now_ns(clock);
  if (due_ns - now > sleep_threshold_ns && &clock == &Clock::steady()) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(due_ns - now - spin_margin_ns));
    now = now_ns(clock);
  }
  while (now < due_ns) now = now_ns(clock);
  return now;
}

// Everything the drivers of one run share.
struct Drive {
  const LoadSpec& spec;
  const LoadSend& send;
  LoadRun& run;
  ProgressBar& bar;
  std::int64_t start_ns;
  std::atomic<std::uint64_t> next{0};  // sync mode: the open loop's next event, or the
                                       // closed loop's measured events claimed
  std::atomic<bool> stopped{false};    // a send threw: every driver stops
  std::mutex failure_mutex{};
  std::string failure{};  // what the first throw said

  [[nodiscard]] bool closed_loop_over(std::int64_t now, std::uint64_t measured_sent) const {
    if (spec.count > 0) return now >= run.record_from_ns() && measured_sent >= spec.count;
    return now >= run.record_from_ns() + spec.duration.count();
  }

  void async_open(LoadDriver& d) {
    const OpenSchedule schedule(spec);
    for (std::uint64_t i = 0; i < schedule.end() && !is_stopped(); ++i) {
      const std::int64_t due = start_ns + schedule.offset_ns(i);
      bar.tick(wait_until(run.clock(), due), d.sent);
      d.send(send, due);
    }
  }

  void async_closed(LoadDriver& d) {
    auto& permits = *run.permits();
    while (!is_stopped()) {
      permits.acquire();  // released by a completion
      const std::int64_t now = now_ns(run.clock());
      if (closed_loop_over(now, d.sent)) {
        permits.release();
        return;
      }
      bar.tick(now, d.sent);
      d.send(send, now);
    }
  }

  void sync_open(LoadDriver& d, bool draws) {
    const OpenSchedule schedule(spec);
    while (!is_stopped()) {
      // Drivers share the timetable: whichever is free takes the next event, late or not.
      const std::uint64_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= schedule.end()) return;
      const std::int64_t due = start_ns + schedule.offset_ns(i);
      const std::int64_t now = wait_until(run.clock(), due);
      if (draws) bar.tick(now, i > schedule.warmup_events() ? i - schedule.warmup_events() : 0);
      d.send(send, due);
    }
  }

  void sync_closed(LoadDriver& d, bool draws) {
    while (!is_stopped()) {
      const std::int64_t now = now_ns(run.clock());
      if (spec.count == 0 && closed_loop_over(now, 0)) return;
      // `next` counts the measured events claimed by all drivers (for the bar in duration mode).
      if (now >= run.record_from_ns() &&
          next.fetch_add(1, std::memory_order_relaxed) >= spec.count && spec.count > 0) {
        return;
      }
      if (draws) {
        const std::uint64_t claimed = next.load(std::memory_order_relaxed);
        bar.tick(now, spec.count > 0 ? std::min(claimed, spec.count) : claimed);
      }
      d.send(send, now);
    }
  }

  [[nodiscard]] bool is_stopped() const noexcept { return stopped.load(std::memory_order_relaxed); }

  /// Runs one driver; a throwing send stops them all (the events already sent complete).
  void drive(LoadDriver& d, bool draws) noexcept {
    try {
      if (spec.mode == InvocationMode::async) {
        spec.rate > 0 ? async_open(d) : async_closed(d);
      } else {
        spec.rate > 0 ? sync_open(d, draws) : sync_closed(d, draws);
      }
    } catch (const std::exception& e) {
      stop(e.what());
    } catch (...) {
      stop("an exception that is not a std::exception");
    }
  }
  void stop(const char* what) noexcept {
    std::lock_guard lock(failure_mutex);
    if (!stopped.exchange(true)) {
      try {
        failure = what;
      } catch (...) {
        // No memory for the message: the error still says the send threw.
      }
    }
  }
};

LoadReport report_of(const LoadSpec& spec, const LoadRun& run,
                     const std::vector<std::unique_ptr<LoadDriver>>& drivers) {
  LoadReport report;
  report.offered_rate = spec.rate;
  std::int64_t first_send = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_send = std::numeric_limits<std::int64_t>::min();
  for (const auto& d : drivers) {
    report.sent += d->sent;
    report.warmup_sent += d->warmup_sent;
    report.refused += d->refused;
    first_send = std::min(first_send, d->first_send_ns);
    last_send = std::max(last_send, d->last_send_ns);
  }
  std::int64_t last_done = std::numeric_limits<std::int64_t>::min();
  run.for_each_slot([&](const detail::CompletionSlot& slot) {
    report.latency.merge(slot.latency);
    report.completed += slot.completed;
    report.function_errors += slot.function_errors;
    report.engine_errors += slot.engine_errors;
    last_done = std::max(last_done, slot.last_done_ns);
  });
  if (report.sent == 0) return report;
  report.elapsed = std::chrono::nanoseconds(std::max<std::int64_t>(last_done - first_send, 0));
  if (report.sent >= 2 && last_send > first_send) {
    report.achieved_rate =
        static_cast<double>(report.sent - 1) * 1e9 / static_cast<double>(last_send - first_send);
  }
  if (report.elapsed.count() > 0) {
    report.throughput =
        static_cast<double>(report.completed) * 1e9 / static_cast<double>(report.elapsed.count());
  }
  return report;
}

Expected<LoadReport> run_schedule(const LoadSpec& spec, const LoadSend& send) {
  const std::int64_t start = now_ns(*spec.clock);
  const bool closed_async = spec.mode == InvocationMode::async && spec.rate == 0;
  LoadRun run(*spec.clock, start + spec.warmup.count(), closed_async ? spec.concurrency : 0);
  ProgressBar bar(spec, run.record_from_ns());
  Drive drive{.spec = spec, .send = send, .run = run, .bar = bar, .start_ns = start};

  const bool sync = spec.mode == InvocationMode::sync;
  std::vector<std::unique_ptr<LoadDriver>> drivers;
  for (std::uint32_t i = 0; i < (sync ? spec.concurrency : 1); ++i) {
    drivers.push_back(std::make_unique<LoadDriver>(run, sync));
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < drivers.size(); ++i) {
    threads.emplace_back([&drive, &d = *drivers[i]] { drive.drive(d, false); });
  }
  drive.drive(*drivers[0], true);  // this thread is driver 0 and draws the bar
  for (auto& t : threads) t.join();

  std::uint64_t events = 0;
  std::uint64_t measured = 0;
  for (const auto& d : drivers) {
    events += d->sent + d->warmup_sent;
    measured += d->sent;
  }
  bar.finish(now_ns(*spec.clock), measured);
  run.wait_finished(events);
  if (drive.is_stopped()) {
    return Unexpected(
        Error{.code = Errc::invalid_argument,
              .message = "the target's send threw, so the run stopped: " + drive.failure});
  }
  return report_of(spec, run, drivers);
}

Status check_caller(const LoadSpec& spec) {
  if (auto valid = spec.validate(); !valid) return valid;
  if (Engine::on_worker_thread()) {
    return Unexpected(Error{.code = Errc::invalid_argument,
                            .message = "run_load blocks until the run ends: call it from a plain "
                                       "thread, not from a handler"});
  }
  return {};
}

LoadOutcome outcome_of(const InvokeResult& result) noexcept {
  if (!result) return LoadOutcome::engine_error;
  return result->ok() ? LoadOutcome::ok : LoadOutcome::function_error;
}

}  // namespace

Expected<LoadReport> run_load(const LoadSpec& spec, const LoadSend& send) {
  if (auto ok = check_caller(spec); !ok) return Unexpected(std::move(ok).error());
  if (!send) {
    return Unexpected(Error{.code = Errc::invalid_argument, .message = "send: must be callable"});
  }
  return run_schedule(spec, send);
}

Expected<LoadReport> run_load(Engine& engine, std::string_view qualified_name, PayloadView payload,
                              const LoadSpec& spec) {
  if (auto ok = check_caller(spec); !ok) return Unexpected(std::move(ok).error());
  if (auto ok = engine.dry_run(qualified_name, payload); !ok) {
    return Unexpected(std::move(ok).error());
  }
  const std::string name(qualified_name);
  // Each call gets its own copy of the payload, handed over as a host that gives up its bytes
  // would: safe even when a timed-out handler reads it after the run.
  if (spec.mode == InvocationMode::sync) {
    return run_schedule(spec, [&](LoadTicket ticket) {
      ticket.done(outcome_of(engine.invoke(name, Payload::copy_of(payload.view()))));
      return true;
    });
  }
  return run_schedule(spec, [&](LoadTicket ticket) {
    auto queued = engine.invoke_async(
        name, Payload::copy_of(payload.view()),
        [ticket](AsyncOutcome&& outcome) { ticket.done(outcome_of(outcome.result)); });
    if (queued) return true;
    if (queued.error().code == Errc::resource_exhausted) return false;  // queue full: retry
    ticket.done(LoadOutcome::engine_error);
    return true;
  });
}

}  // namespace nanofaas
