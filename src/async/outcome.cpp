#include <algorithm>
#include <string>
#include <vector>

#include "async/async_dispatcher.hpp"
#include "async/delivery.hpp"
#include "async/event_invocation.hpp"
#include "async/event_pool.hpp"
#include "runtime/tick_clock.hpp"

// How an event ends: success, retry, failure handling, or the spill at shutdown.

namespace nanofaas::detail {

namespace {

/// Hands the event's outcome to its completion callback, if it has one.
void notify(AsyncEvent& event, std::string_view condition, InvokeResult result) noexcept {
  if (event.completion == nullptr) return;
  try {
    (*event.completion)(AsyncOutcome{event.id, condition, std::move(result)});
  } catch (...) {
    // The caller's callback threw: nothing left to tell.
  }
}

/// Counts an event dropped for `reason`, and discarded unless it `has_target`.
void count_drop(Version& v, DropReason reason, bool has_target) noexcept {
  v.counters.async().async_dropped[static_cast<std::size_t>(reason)].fetch_add(
      1, std::memory_order_relaxed);
  if (!has_target) v.counters.async().async_discarded.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Invocation* AsyncDispatcher::complete(EventInvocation& inv, bool timed_out, bool continue_here,
                                      Clock::time_point now) noexcept {
  Version& v = version_of(inv);
  const bool error = inv.out.function_error.has_value();
  v.counters.per_worker.count_invocation(error, timed_out, inv.out.duration);
  if (inv.alias_counters != nullptr) {
    inv.alias_counters->count_invocation(error, timed_out, inv.out.duration);
  }
  // Settles the outcome before the slot, so that shutdown sees it first; frees `inv` unless
  // it comes back refilled.
  return settle(inv, continue_here, now);
}

Invocation* AsyncDispatcher::settle(EventInvocation& inv, bool continue_here,
                                    time_point now) noexcept {
  Version& v = version_of(inv);
  AsyncEvent* event = inv.queued;
  TakenEvents* const taken = &inv.taken;
  const InvokeOutput& out = inv.out;
  if (!inv.counted) {  // suspended on its way: it runs again, as one of the version's
    inv.counted = true;
    v.async_running.fetch_add(1, std::memory_order_seq_cst);
  }
  // Whether the version's handler runs briefly (`reserve_running`); not from an invocation
  // whose handler never ran (an init that failed).
  if (const bool brief = out.duration <= Worker::brief_run;
      out.duration.count() > 0 && v.async_brief.load(std::memory_order_relaxed) != brief) {
    v.async_brief.store(brief, std::memory_order_relaxed);
  }
  if (!out.function_error) {
    v.counters.async().async_succeeded.fetch_add(1, std::memory_order_release);
    if (!event->config->on_success.empty()) {
      const time_point started = core_.tracing() ? TickClock::now() : time_point{};
      InvocationRecord record = make_record(*event, "Success", &out);
      record.trace = delivery_trace(*event);
      const bool delivered = deliver(event->config->on_success, record, event->depth);
      if (!delivered)
        v.counters.async().destination_failures.fetch_add(1, std::memory_order_relaxed);
      if (core_.tracing())
        export_delivery_span(*event, record.trace, "Success", delivered, started);
    }
    notify(*event, "Success", InvokeResult(std::move(inv.out)));
    finish(event, Settlement::done);
  } else if (event->attempts <= event->config->maximum_retry_attempts) {
    const auto& delays = event->config->retry_delays;
    const auto wait = delays.empty()
                          ? std::chrono::nanoseconds(0)
                          : delays[std::min<std::size_t>(event->attempts - 1, delays.size() - 1)];
    if (event->queue_tag != 0) {
      // The durable queue keeps it meanwhile (and may run it in another process).
      v.counters.async().async_retries.fetch_add(1, std::memory_order_release);
      v.counters.async().async_handed_back.fetch_add(1, std::memory_order_release);
      finish(event, Settlement::retry, wait);
    } else {
      delay(event, core_.config.clock->now() + wait);
      // Counted once the event waits: it then holds its place in the queue's bound.
      v.counters.async().async_retries.fetch_add(1, std::memory_order_release);
    }
  } else {
    fail_event(event, DropReason::retries_exhausted, &out, out.function_error->error_message);
  }
  // Not while other versions wait for a place in the window: this place goes to the first of
  // them, and this version queues up behind (a backlog must not starve its neighbours).
  if (continue_here && dispatching_.load(std::memory_order_acquire) && !others_waiting(v)) {
    // The environment that ran this event runs the version's next one, with no dispatch and
    // no fiber switch; it stays within the window, in this event's place, and its slot.
    NextEvent next = NextEvent::empty;
    if (take_event(v, &inv, next, now, taken) != nullptr) return &inv;  // else all released
  } else {
    stop_draining(v, taken, inv.slot);
  }
  free_event_invocation(&inv);
  // Either a pump's reserve_running sees this invocation gone (and dispatches what is queued),
  // or the check of the queue below sees what it left there.
  v.async_running.fetch_sub(1, std::memory_order_seq_cst);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  Worker* self = core_.own_worker();
  if (others_waiting(v)) {
    // The freed place goes to the first waiting version; this one lines up behind.
    if (v.queue->depth_approx() > 0) await_window(v);
    serve_window(self);
  } else {
    schedule_pump(v, self);
    serve_window(self);
  }
  return nullptr;
}

void AsyncDispatcher::delay(AsyncEvent* event, Clock::time_point due) {
  std::lock_guard lock(delayed_mutex_);
  delayed_.emplace(due, event);
  event->version->delayed.fetch_add(1, std::memory_order_relaxed);
}

bool AsyncDispatcher::release_due_events() {
  // Versions, not events: once queued, an event may run and be freed by another worker.
  std::vector<Version*> due;
  bool more = false;
  std::vector<AsyncEvent*> full;
  {
    // Under the lock, so that shutdown's spill never misses an event in transit.
    std::lock_guard lock(delayed_mutex_);
    if (!dispatching_.load(std::memory_order_acquire)) return false;
    const auto now = core_.config.clock->now();
    auto it = delayed_.begin();
    while (it != delayed_.end() && it->first <= now) {
      AsyncEvent* event = it->second;
      Version* version = event->version;
      version->delayed.fetch_sub(1, std::memory_order_relaxed);
      if (version->queue->push(event)) {
        if (due.empty() || due.back() != version) due.push_back(version);
      } else {
        full.push_back(event);
      }
      it = delayed_.erase(it);
    }
    more = !delayed_.empty();
  }
  for (AsyncEvent* event : full) {
    if (event->queue_tag != 0) {
      give_back(event);  // a durable queue's: not lost, delivered again
      continue;
    }
    fail_event(event, DropReason::throttled, nullptr,
               "the asynchronous queue was full when the event was due again");
  }
  Worker* self = core_.own_worker();
  for (Version* version : due) schedule_pump(*version, self);
  return more;
}

void AsyncDispatcher::fail_event(AsyncEvent* event, DropReason reason, const InvokeOutput* out,
                                 std::string_view error_message) noexcept {
  Version& v = *event->version;
  const DropLabels labels = labels_of(reason);
  const std::string_view condition = labels.condition;
  const AsyncConfig& async = *event->config;
  // Why, first: whoever sees the event ended (release, as `async_pending` reads it) sees why.
  const bool has_target = !async.on_failure.empty() || has_dead_letter(async);
  count_drop(v, reason, has_target);
  v.counters.async().async_failed.fetch_add(1, std::memory_order_release);
  // The destination and the dead letters continue the event's trace under one span.
  const time_point started = core_.tracing() ? TickClock::now() : time_point{};
  const TraceContext delivery = delivery_trace(*event);
  bool delivered = true;
  if (!async.on_failure.empty()) {
    InvocationRecord record = make_record(*event, condition, out);
    record.trace = delivery;
    if (!deliver(async.on_failure, record, event->depth)) {
      delivered = false;
      v.counters.async().destination_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  const DeadLetter letter{event->id,
                          v.function->name,
                          labels.error_code,
                          error_message.substr(0, 1024),
                          event->body().view(),
                          delivery};
  delivered &= send_dead_letter(v, async, letter);
  if (has_target && core_.tracing()) {
    export_delivery_span(*event, delivery, condition, delivered, started);
  }
  if (event->completion != nullptr) {
    if (out != nullptr) {
      InvokeOutput last;
      last.request_id = out->request_id;
      last.function_error = out->function_error;
      last.executed_version = out->executed_version;
      last.duration = out->duration;
      last.init_duration = out->init_duration;
      notify(*event, condition, InvokeResult(std::move(last)));
    } else {
      notify(*event, condition, fail(labels.error, std::string(error_message)));
    }
  }
  finish(event, Settlement::failed);
}

void AsyncDispatcher::give_back(AsyncEvent* event) noexcept {
  // Counted only if it was received here (adopted: a bulk take may have held it unseen).
  if (event->config != nullptr) {
    event->version->counters.async().async_handed_back.fetch_add(1, std::memory_order_release);
  }
  finish(event, Settlement::returned);
}

void AsyncDispatcher::finish(AsyncEvent* event, Settlement how,
                             std::chrono::nanoseconds delay) noexcept {
  if (event->queue_tag != 0) event->version->queue->settle(*event, how, delay);
  EventPool::give(event);
}

std::uint64_t AsyncDispatcher::runnable() {
  std::uint64_t pending = 0;
  core_.registry.for_each_version([&pending](const Version& v) {
    if (const AsyncCounters* a = v.counters.async_if_any()) pending += a->async_pending();
  });
  std::lock_guard lock(delayed_mutex_);
  return pending - std::min<std::uint64_t>(pending, delayed_.size());
}

void AsyncDispatcher::spill(AsyncEvent* event) noexcept {
  Version& v = *event->version;
  if (event->queue_tag != 0) {
    give_back(event);
    return;
  }
  count_drop(v, DropReason::shutdown,
             static_cast<bool>(core_.config.async_spill) || has_dead_letter(*event->config));
  v.counters.async().async_spilled.fetch_add(1, std::memory_order_release);
  const DropLabels labels = labels_of(DropReason::shutdown);
  constexpr std::string_view message = "the engine shut down before the event ran";
  const DeadLetter letter{event->id, v.function->name,     labels.error_code,
                          message,   event->body().view(), delivery_trace(*event)};
  if (!core_.config.async_spill) {
    send_dead_letter(v, *event->config, letter);
  } else if (!succeeds([&] {
               core_.config.async_spill(letter);
               return true;
             })) {
    v.counters.async().dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
  }
  notify(*event, labels.condition, fail(labels.error, std::string(message)));
  EventPool::give(event);
}

void AsyncDispatcher::spill_all() noexcept {
  std::vector<AsyncEvent*> events;
  {
    std::lock_guard lock(delayed_mutex_);
    for (auto& [due, event] : delayed_) {
      event->version->delayed.fetch_sub(1, std::memory_order_relaxed);
      events.push_back(event);
    }
    delayed_.clear();
  }
  core_.registry.for_each_version([&events](Version& v) {
    v.queue->close();  // a durable queue takes no more and gives back what it fetched
    while (AsyncEvent* event = v.queue->pop()) {
      if (event->version == nullptr) event->version = &v;  // restored, never adopted
      events.push_back(event);
    }
  });
  for (AsyncEvent* event : events) spill(event);
}

}  // namespace nanofaas::detail
