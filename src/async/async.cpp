// Lambda's `Event` invocation: per-version queues, dispatch under the concurrency limits,
// retries and throttle backoff on the engine's clock, destinations, dead letters, and the
// drain at shutdown. Every accepted event ends in exactly one counter: succeeded, failed
// (failure handling) or spilled; the last two also count it as dropped, with its reason, and
// as discarded when it had no target.

#include <simdjson.h>
#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "async/event_invocation.hpp"
#include "common/json_text.hpp"
#include "core/engine_core.hpp"
#include "exec/environment.hpp"
#include "nanofaas/queue.hpp"
#include "runtime/chain_depth.hpp"
#include "runtime/tick_clock.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;

/// A handler that returns sooner lets its environment take several queued events at a time.
constexpr auto quick_handler = std::chrono::microseconds(2);

/// Runs `f` (user code, or a copy that may not find memory); false when it threw or said no.
template <class F>
bool succeeds(F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    return false;
  }
}

/// True when `async` has a dead-letter callback or queue.
bool has_dead_letter(const AsyncConfig& async) noexcept {
  return static_cast<bool>(async.dead_letter) || async.dead_letter_queue != nullptr;
}

/// How a drop reason shows in Lambda's records: the destination's `condition`, the dead
/// letter's `ErrorCode`, and the engine error a completion callback gets when the function
/// never ran.
struct DropLabels {
  std::string_view condition;
  std::string_view error_code;
  Errc error;
};
constexpr DropLabels labels_of(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::retries_exhausted: return {"RetriesExhausted", "200", Errc::unavailable};
    case DropReason::event_age_exceeded:
      return {"EventAgeExceeded", "EventAgeExceeded", Errc::unavailable};
    case DropReason::throttled: return {"RetriesExhausted", "429", Errc::too_many_requests};
    case DropReason::recursive_loop:
      return {"RetriesExhausted", "RecursiveInvocationException", Errc::recursive_invocation};
    case DropReason::shutdown: return {"Shutdown", "Shutdown", Errc::unavailable};
  }
  return {"RetriesExhausted", "200", Errc::unavailable};
}

/// Lambda's invocation record for `event`; `out` is null when the function never ran.
InvocationRecord make_record(const AsyncEvent& event, std::string_view condition,
                             const InvokeOutput* out) {
  const Version& v = *event.version;
  InvocationRecord r;
  std::string& j = r.json;
  const std::string id = event.id.to_string();
  j += R"({"version":"1.0","timestamp":")";
  j += iso8601(std::chrono::system_clock::now());
  j += R"(","requestContext":{"requestId":")";
  j += id;
  j += R"(","functionArn":"arn:aws:lambda:local:000000000000:function:)";
  j += v.function->name;
  j += ':';
  j += v.name;
  j += R"(","condition":")";
  j += condition;
  j += R"(","approximateInvokeCount":)";
  j += std::to_string(event.attempts);
  j += R"(},"requestPayload":)";
  append_json_value(j, event.body().view());
  j += R"(,"responseContext":{"statusCode":200,"executedVersion":")";
  j += v.name;
  j += '"';
  std::string_view error_kind;
  if (out != nullptr && out->function_error) {
    error_kind =
        out->function_error->kind == FunctionError::Kind::handled ? "Handled" : "Unhandled";
    j += R"(,"functionError":")";
    j += error_kind;
    j += '"';
  }
  j += R"(},"responsePayload":)";
  const std::size_t response_at = j.size();
  if (out == nullptr) {
    j += "null";
  } else if (out->function_error) {
    j += R"({"errorMessage":)";
    append_json_string(j, out->function_error->error_message);
    j += R"(,"errorType":)";
    append_json_string(j, out->function_error->error_type);
    j += '}';
  } else {
    append_json_value(j, out->payload.view());
  }
  const std::size_t response_end = j.size();
  j += '}';
  r.condition = condition;
  r.request_id = event.id;
  r.function_name = v.function->name;
  r.executed_version = v.name;
  r.approximate_invoke_count = event.attempts;
  r.request_payload = event.body().view();
  r.response_payload = std::string_view(j).substr(response_at, response_end - response_at);
  r.function_error = error_kind;
  return r;
}

}  // namespace

Expected<RequestId> EngineCore::invoke_async(std::string_view qualified_name, Payload payload,
                                             std::uint32_t depth, AsyncCompletion completion) {
  return accept_event(qualified_name, payload.size(), depth, std::move(completion),
                      [&payload](AsyncEvent& event) { event.set_body(std::move(payload)); });
}

Expected<RequestId> EngineCore::invoke_async(std::string_view qualified_name, PayloadView bytes,
                                             std::uint32_t depth, AsyncCompletion completion) {
  return accept_event(qualified_name, bytes.size(), depth, std::move(completion),
                      [bytes](AsyncEvent& event) { event.set_body(bytes); });
}

template <class SetBody>
Expected<RequestId> EngineCore::accept_event(std::string_view qualified_name, std::size_t size,
                                             std::uint32_t depth, AsyncCompletion&& completion,
                                             SetBody&& set_body) {
  auto target = validate(qualified_name, 0, {});
  if (!target) return Unexpected(std::move(target).error());
  Version& v = *target->version;
  if (size > config.max_async_request_bytes) {
    return fail(Errc::request_too_large, "Request must be smaller than " +
                                             std::to_string(config.max_async_request_bytes) +
                                             " bytes for the asynchronous invoke operation (got " +
                                             std::to_string(size) + ")");
  }
  AsyncEvent* event = EventPool::take();
  try {
    set_body(*event);  // a large body is copied into a new Payload
    if (completion) event->completion = new AsyncCompletion(std::move(completion));
  } catch (...) {
    EventPool::give(event);
    throw;
  }
  event->id = request_ids.next();
  event->version = &v;
  event->qualifier = target->qualifier;
  const AsyncConfig* alias_config =
      target->alias != nullptr ? target->alias->async.load(std::memory_order_acquire) : nullptr;
  event->config = alias_config != nullptr ? alias_config : v.async.load(std::memory_order_acquire);
  event->enqueued = clock_is_steady ? TickClock::now() : config.clock->now();
  event->depth = depth;
  const RequestId id = event->id;
  v.counters.async_received.fetch_add(1, std::memory_order_relaxed);
  if (depth > max_chain_depth && v.recursive_loop == RecursiveLoop::terminate) {
    // Accepted, as Lambda does, then stopped: straight to failure handling.
    v.counters.recursive_dropped.fetch_add(1, std::memory_order_relaxed);
    fail_event(event, DropReason::recursive_loop, nullptr,
               "stopped as a recursive loop: the chain of invocations is deeper than 16");
    return id;
  }
  if (!v.queue->push(event)) {
    v.counters.async_received.fetch_sub(1, std::memory_order_relaxed);
    EventPool::give(event);
    return fail(Errc::resource_exhausted,
                "the asynchronous queue of " + std::string(qualified_name) + " is full");
  }
  schedule_pump(v, own_worker());
  return id;
}

void EngineCore::schedule_pump(Version& v, Worker* worker) {
  // A plain load first: while a pump is on its way, producers only read the shared line. The
  // fence pairs with the pump's: either the pump sees the new event, or this sees no pump.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (v.pump_posted.load(std::memory_order_acquire) ||
      v.pump_posted.exchange(true, std::memory_order_acq_rel)) {
    return;
  }
  Worker& w = worker != nullptr ? *worker : pick_worker();
  w.post(Task::run(Job{[](Worker& worker, const Job& job) {
                         auto& version = *static_cast<Version*>(job.a);
                         version.engine->pump(version, worker);
                       },
                       &v}));
}

void EngineCore::pump(Version& v, Worker& worker) {
  v.pump_posted.store(false, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // see schedule_pump
  if (!async_dispatching.load(std::memory_order_acquire)) return;
  // Served from the waiting list: one place is this version's even if others still wait.
  bool granted = v.window_granted.exchange(false, std::memory_order_acq_rel);
  for (;;) {
    // Versions already waiting for a place go first: a busy version's pump (posted by its
    // producers or completions) must not take every place that frees up.
    const bool others_first = !granted && others_waiting(v);
    if (others_first || async_in_flight.load(std::memory_order_acquire) >= async_window) {
      // A served version whose place another pump took meanwhile stays first in line: sent
      // to the back, it could lose the same race on every place that frees up.
      if (v.queue->depth_approx() > 0) await_window(v, granted);
      return;
    }
    granted = false;
    NextEvent next = NextEvent::empty;
    EventInvocation* inv = take_event(v, nullptr, next, {});
    if (inv == nullptr) {
      // moodycamel can miss an item that is mid-enqueue; come back for it. A throttled event
      // waits for its backoff (or a completion pumps again).
      if (next == NextEvent::empty && v.queue->depth_approx() > 0) schedule_pump(v, &worker);
      // A place this pump was served but did not use (its events were taken by a draining
      // environment) passes to the next waiting version: no completion is left to do it.
      if (async_in_flight.load(std::memory_order_acquire) < async_window) serve_window(&worker);
      return;
    }
    async_in_flight.fetch_add(1, std::memory_order_acq_rel);
    Environment* env = v.pool.try_acquire(worker.index());
    count_spillover(v, env);
    dispatch(*inv, env, &worker);
    // Let the environment run now: it takes the version's next events itself, so a backlog
    // flows through a few warm environments rather than a cold start per event.
    boost::this_fiber::yield();
    if (!async_dispatching.load(std::memory_order_acquire)) return;
  }
}

EventInvocation* EngineCore::take_event(Version& v, EventInvocation* reuse, NextEvent& next,
                                        steady::time_point started, TakenEvents* taken) noexcept {
  Function& fn = *v.function;
  // A refilled invocation still holds its environment's slot (and counts as concurrent).
  bool holding = reuse != nullptr;
  // Taking several events at a time suits quick handlers and deep queues only: the events an
  // environment holds wait behind its handler. After a slow handler they go back to the
  // queue, with a pump, so that other environments run them meanwhile; and a take is at
  // most this environment's share of the queue.
  const bool quick = reuse != nullptr && reuse->out.duration < quick_handler;
  std::size_t bulk = 1;
  if (taken != nullptr && !quick && !taken->empty()) {
    hand_back(v, *taken);
  } else if (taken != nullptr && quick && taken->empty()) {
    const std::size_t running =
        std::max<std::uint32_t>(fn.in_flight.load(std::memory_order_relaxed), 1);
    bulk = std::clamp<std::size_t>(v.queue->depth_approx() / running, 1, TakenEvents::capacity);
  }
  const auto give_up = [&](NextEvent found) -> EventInvocation* {
    if (holding) {
      stop_draining(v, taken, reuse->slot);
    } else if (taken != nullptr) {
      put_back(v, *taken);
    }
    next = found;
    return nullptr;
  };
  for (;;) {
    AsyncEvent* event = taken != nullptr ? taken->next(*v.queue, bulk) : v.queue->pop();
    if (event == nullptr) return give_up(NextEvent::empty);
    // One clock read serves both clocks when the engine's is the steady clock.
    if (started == steady::time_point{}) started = TickClock::now();
    const auto now = clock_is_steady ? started : config.clock->now();
    if (now - event->enqueued > event->config->maximum_event_age) {
      fail_event(event, DropReason::event_age_exceeded, nullptr,
                 "Event age exceeded MaximumEventAgeInSeconds");
      continue;
    }
    if (fn.reserved.load(std::memory_order_relaxed) == 0) {
      v.counters.throttles.fetch_add(1, std::memory_order_relaxed);
      fail_event(event, DropReason::throttled, nullptr,
                 "The function's reserved concurrency is 0: events go to failure handling");
      continue;
    }
    // The held slot carries over while the limits still allow it: no release and acquire of
    // the shared counters per drained event.
    if (holding && !slot_still_fits(fn, reuse->slot)) {
      stop_draining(v, taken, reuse->slot);
      holding = false;
    }
    auto slot = holding ? Expected<ConcurrencySlot>(reuse->slot) : acquire_slot(fn, v);
    if (!slot) {
      // Throttled: not a function error. Back off (1 s doubling to 5 min by default).
      v.counters.async_throttled.fetch_add(1, std::memory_order_relaxed);
      const auto shift = std::min<std::uint32_t>(event->throttles, 20);
      auto backoff = config.async_throttle_backoff * (std::int64_t{1} << shift);
      backoff = std::min(backoff, config.async_throttle_backoff_max);
      ++event->throttles;
      delay(event, now + backoff);
      return give_up(NextEvent::throttled);
    }
    if (!holding) v.counters.concurrent.fetch_add(1, std::memory_order_relaxed);
    event->throttles = 0;
    if (event->attempts == 0) v.counters.async_event_age.record(now - event->enqueued);
    ++event->attempts;
    EventInvocation* inv = reuse != nullptr ? reuse : new EventInvocation(*this);
    if (reuse != nullptr) {
      // What the last event's run set; its version's name stays (the same version).
      InvokeOutput& out = inv->out;
      out.payload = Payload{};
      if (out.function_error) out.function_error.reset();
      out.init_duration.reset();
      out.duration = {};
    }
    inv->spec = &v;
    inv->payload = event->body();
    inv->invoked_qualifier = event->qualifier;
    inv->slot = *slot;
    inv->depth = event->depth;
    inv->queued = event;
    inv->out.request_id = event->id;
    inv->start = started;
    // Run by the environment that asks: it starts now, with no clock read of its own.
    if (reuse != nullptr) inv->same_worker = true;
    inv->deadline = inv->start + v.timeout;
    next = NextEvent::taken;
    return inv;
  }
}

void EngineCore::hand_back(Version& v, TakenEvents& taken) noexcept {
  if (taken.empty()) return;
  // Also called from the scheduler, where no user callback may run: an event the queue has no
  // memory for is not failed here but stays taken, and runs after the handler.
  requeue(v, taken);
  schedule_pump(v, nullptr);
}

void EngineCore::requeue(Version& v, TakenEvents& taken) noexcept {
  taken.keep_unless([&](AsyncEvent* event) { return v.queue->requeue(event); });
}

bool EngineCore::slot_still_fits(const Function& fn, ConcurrencySlot slot) const noexcept {
  const std::int64_t reserved = fn.reserved.load(std::memory_order_relaxed);
  if (reserved >= 0) {
    return slot == ConcurrencySlot::reserved &&
           fn.in_flight.load(std::memory_order_relaxed) <= static_cast<std::uint64_t>(reserved);
  }
  const std::uint32_t available =
      config.concurrency_limit - total_reserved.load(std::memory_order_relaxed);
  return slot == ConcurrencySlot::unreserved &&
         unreserved_in_flight.load(std::memory_order_relaxed) <= available;
}

void EngineCore::put_back(Version& v, TakenEvents& taken) noexcept {
  requeue(v, taken);
  taken.release_each([&](AsyncEvent* event) {
    fail_event(event, DropReason::throttled, nullptr, "no memory left to queue the event again");
  });
}

void EngineCore::stop_draining(Version& v, TakenEvents* taken, ConcurrencySlot slot) noexcept {
  // Events go back before the slot: shutdown waits for slots, then spills the queues.
  if (taken != nullptr) put_back(v, *taken);
  release_slot(*v.function, slot);
  v.counters.concurrent.fetch_sub(1, std::memory_order_relaxed);
}

bool EngineCore::others_waiting(const Version& v) const noexcept {
  const std::uint32_t waiting = window_waiter_count.load(std::memory_order_acquire);
  return waiting > (v.awaiting_window.load(std::memory_order_acquire) ? 1u : 0u);
}

void EngineCore::await_window(Version& v, bool first) {
  if (!v.awaiting_window.exchange(true, std::memory_order_acq_rel)) {
    std::lock_guard lock(window_mutex);
    if (first) {
      window_waiters.push_front(&v);
    } else {
      window_waiters.push_back(&v);
    }
    window_waiter_count.store(static_cast<std::uint32_t>(window_waiters.size()),
                              std::memory_order_release);
  }
  // The last invocation may have finished before the listing: serve it ourselves then. The
  // fence pairs with serve_window's: a completion either sees this listing or is seen here.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (async_in_flight.load(std::memory_order_acquire) < async_window) serve_window(nullptr);
}

void EngineCore::serve_window(Worker* worker) {
  // The lock only when some version waits. The fence pairs with await_window's: a version
  // listed after this read sees the place this caller freed, and serves itself.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (window_waiter_count.load(std::memory_order_acquire) == 0) return;
  Version* next = nullptr;
  {
    std::lock_guard lock(window_mutex);
    if (window_waiters.empty()) return;
    next = window_waiters.front();
    window_waiters.pop_front();
    window_waiter_count.store(static_cast<std::uint32_t>(window_waiters.size()),
                              std::memory_order_release);
  }
  next->awaiting_window.store(false, std::memory_order_release);
  next->window_granted.store(true, std::memory_order_release);
  schedule_pump(*next, worker);
}

Invocation* EngineCore::complete_event(EventInvocation& inv, bool timed_out, bool continue_here,
                                       Clock::time_point now) noexcept {
  Version& v = version_of(inv);
  v.counters.invocations.fetch_add(1, std::memory_order_relaxed);
  if (inv.out.function_error) v.counters.errors.fetch_add(1, std::memory_order_relaxed);
  if (timed_out) v.counters.timeouts.fetch_add(1, std::memory_order_relaxed);
  // Settles the outcome before the slot, so that shutdown sees it first; frees `inv` unless
  // it comes back refilled.
  return complete_async(inv, continue_here, now);
}

Invocation* EngineCore::complete_async(EventInvocation& inv, bool continue_here,
                                       steady::time_point now) noexcept {
  Version& v = version_of(inv);
  AsyncEvent* event = inv.queued;
  TakenEvents* const taken = &inv.taken;
  const InvokeOutput& out = inv.out;
  if (!out.function_error) {
    v.counters.async_succeeded.fetch_add(1, std::memory_order_release);
    if (!event->config->on_success.empty()) {
      const InvocationRecord record = make_record(*event, "Success", &out);
      if (!deliver(event->config->on_success, record, event->depth)) {
        v.counters.destination_failures.fetch_add(1, std::memory_order_relaxed);
      }
    }
    notify(*event, "Success", InvokeResult(std::move(inv.out)));
    finish_event(event);
  } else if (event->attempts <= event->config->maximum_retry_attempts) {
    v.counters.async_retries.fetch_add(1, std::memory_order_relaxed);
    const auto& delays = event->config->retry_delays;
    const auto wait = delays.empty()
                          ? std::chrono::nanoseconds(0)
                          : delays[std::min<std::size_t>(event->attempts - 1, delays.size() - 1)];
    delay(event, config.clock->now() + wait);
  } else {
    fail_event(event, DropReason::retries_exhausted, &out, out.function_error->error_message);
  }
  // Not while other versions wait for a place in the window: this place goes to the first of
  // them, and this version queues up behind (a backlog must not starve its neighbours).
  if (continue_here && async_dispatching.load(std::memory_order_acquire) && !others_waiting(v)) {
    // The environment that ran this event runs the version's next one, with no dispatch and
    // no fiber switch; it stays within the window, in this event's place, and its slot.
    NextEvent next = NextEvent::empty;
    if (take_event(v, &inv, next, now, taken) != nullptr) return &inv;  // else all released
  } else {
    stop_draining(v, taken, inv.slot);
  }
  delete &inv;
  async_in_flight.fetch_sub(1, std::memory_order_acq_rel);
  Worker* self = own_worker();
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

void EngineCore::delay(AsyncEvent* event, Clock::time_point due) {
  std::lock_guard lock(delayed_mutex);
  delayed.emplace(due, event);
}

bool EngineCore::release_due_events() {
  // Versions, not events: once queued, an event may run and be freed by another worker.
  std::vector<Version*> due;
  bool more = false;
  std::vector<AsyncEvent*> full;
  {
    // Under the lock, so that shutdown's spill never misses an event in transit.
    std::lock_guard lock(delayed_mutex);
    if (!async_dispatching.load(std::memory_order_acquire)) return false;
    const auto now = config.clock->now();
    auto it = delayed.begin();
    while (it != delayed.end() && it->first <= now) {
      AsyncEvent* event = it->second;
      Version* version = event->version;
      if (version->queue->push(event)) {
        if (due.empty() || due.back() != version) due.push_back(version);
      } else {
        full.push_back(event);
      }
      it = delayed.erase(it);
    }
    more = !delayed.empty();
  }
  for (AsyncEvent* event : full) {
    fail_event(event, DropReason::throttled, nullptr,
               "the asynchronous queue was full when the event was due again");
  }
  Worker* self = own_worker();
  for (Version* version : due) schedule_pump(*version, self);
  return more;
}

void EngineCore::fail_event(AsyncEvent* event, DropReason reason, const InvokeOutput* out,
                            std::string_view error_message) noexcept {
  Version& v = *event->version;
  const DropLabels labels = labels_of(reason);
  const std::string_view condition = labels.condition;
  const AsyncConfig& async = *event->config;
  // Why, first: whoever sees the event ended (release, as `async_pending` reads it) sees why.
  count_drop(v, reason, !async.on_failure.empty() || has_dead_letter(async));
  v.counters.async_failed.fetch_add(1, std::memory_order_release);
  if (!async.on_failure.empty()) {
    const InvocationRecord record = make_record(*event, condition, out);
    if (!deliver(async.on_failure, record, event->depth)) {
      v.counters.destination_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  const DeadLetter letter{event->id, v.function->name, labels.error_code,
                          error_message.substr(0, 1024), event->body().view()};
  send_dead_letter(v, async, letter);
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
  finish_event(event);
}

void EngineCore::notify(AsyncEvent& event, std::string_view condition,
                        InvokeResult result) noexcept {
  if (event.completion == nullptr) return;
  try {
    (*event.completion)(AsyncOutcome{event.id, condition, std::move(result)});
  } catch (...) {
    // The caller's callback threw: nothing left to tell.
  }
}

bool EngineCore::deliver(const Destination& destination, const InvocationRecord& record,
                         std::uint32_t depth) noexcept {
  bool delivered = true;
  if (destination.sink) {
    delivered &= succeeds([&] {
      destination.sink(record);
      return true;
    });
  }
  if (!destination.function.empty()) {
    delivered &= succeeds([&] {
      return invoke_async(destination.function, Payload::copy_of(record.json), depth + 1)
          .has_value();
    });
  }
  if (destination.queue) {
    delivered &= succeeds([&] {
      // The record continues the event's chain: the queue's mapping invokes one deeper.
      const ThreadChainDepth chain_depth(depth);
      return destination.queue->send(Payload::copy_of(record.json)).has_value();
    });
  }
  return delivered;
}

void EngineCore::count_drop(Version& v, DropReason reason, bool has_target) noexcept {
  v.counters.async_dropped[static_cast<std::size_t>(reason)].fetch_add(1,
                                                                       std::memory_order_relaxed);
  if (!has_target) v.counters.async_discarded.fetch_add(1, std::memory_order_relaxed);
}

void EngineCore::send_dead_letter(Version& v, const AsyncConfig& async,
                                  const DeadLetter& letter) noexcept {
  if (!has_dead_letter(async)) return;
  bool sent = true;
  if (async.dead_letter) {
    sent &= succeeds([&] {
      async.dead_letter(letter);
      return true;
    });
  }
  if (async.dead_letter_queue) {
    sent &= succeeds([&] {
      // Lambda's SQS dead-letter message: the event as it came, the reason in attributes.
      SendOptions options;
      options.attributes = {{"RequestID", letter.request_id.to_string()},
                            {"ErrorCode", std::string(letter.error_code)},
                            {"ErrorMessage", std::string(letter.error_message)}};
      return async.dead_letter_queue->send(Payload::copy_of(letter.payload), std::move(options))
          .has_value();
    });
  }
  if (!sent) v.counters.dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
}

void EngineCore::finish_event(AsyncEvent* event) noexcept {
  EventPool::give(event);
}

std::uint64_t EngineCore::async_runnable() {
  std::uint64_t pending = 0;
  {
    std::shared_lock lock(registry_mutex);
    for (auto& [name, fn] : functions) {
      std::shared_lock fn_lock(fn->mutex);
      pending += fn->latest->counters.async_pending();
      for (auto& v : fn->versions) {
        pending += v->counters.async_pending();
      }
    }
  }
  std::lock_guard lock(delayed_mutex);
  return pending - std::min<std::uint64_t>(pending, delayed.size());
}

void EngineCore::spill(AsyncEvent* event) noexcept {
  Version& v = *event->version;
  count_drop(v, DropReason::shutdown,
             static_cast<bool>(config.async_spill) || has_dead_letter(*event->config));
  v.counters.async_spilled.fetch_add(1, std::memory_order_release);
  const DropLabels labels = labels_of(DropReason::shutdown);
  constexpr std::string_view message = "the engine shut down before the event ran";
  const DeadLetter letter{event->id, v.function->name, labels.error_code, message,
                          event->body().view()};
  if (!config.async_spill) {
    send_dead_letter(v, *event->config, letter);
  } else if (!succeeds([&] {
               config.async_spill(letter);
               return true;
             })) {
    v.counters.dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
  }
  notify(*event, labels.condition, fail(labels.error, std::string(message)));
  finish_event(event);
}

void EngineCore::spill_all() noexcept {
  std::vector<AsyncEvent*> events;
  {
    std::lock_guard lock(delayed_mutex);
    for (auto& [due, event] : delayed) events.push_back(event);
    delayed.clear();
  }
  {
    std::shared_lock lock(registry_mutex);
    for (auto& [name, fn] : functions) {
      std::shared_lock fn_lock(fn->mutex);
      auto take = [&events](Version& v) {
        while (AsyncEvent* event = v.queue->pop()) events.push_back(event);
      };
      take(*fn->latest);
      for (auto& v : fn->versions) take(*v);
    }
  }
  for (AsyncEvent* event : events) spill(event);
}

}  // namespace nanofaas::detail
