#include "async/async_dispatcher.hpp"

#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <exception>
#include <shared_mutex>
#include <string>

#include "async/event_invocation.hpp"
#include "async/event_pool.hpp"
#include "common/saturating_time.hpp"
#include "common/trace_ids.hpp"
#include "exec/environment.hpp"
#include "runtime/tick_clock.hpp"

// Accepting events and dispatching them: the pump, bulk takes, and the window of invocations
// in flight.

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;

/// A handler that returns sooner lets its environment take several queued events at a time.
constexpr auto quick_handler = std::chrono::microseconds(2);

}  // namespace

AsyncDispatcher::AsyncDispatcher(EngineCore& core)
    : core_(core), window_(64 * core.config.workers) {}

void AsyncDispatcher::stop_dispatching() noexcept {
  std::lock_guard lock(delayed_mutex_);
  dispatching_.store(false, std::memory_order_release);
  // Pairs with the fence after accept_event's push (in schedule_pump): either the spill that
  // follows sees the event, or accept_event sees dispatching stopped and spills it itself.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

Expected<RequestId> AsyncDispatcher::invoke_async(Callee callee, Payload payload,
                                                  std::uint32_t depth, const TraceContext* trace,
                                                  AsyncCompletion completion) {
  return accept_event(callee, payload.size(), depth, trace, std::move(completion),
                      [&payload](AsyncEvent& event) { event.set_body(std::move(payload)); });
}

Expected<RequestId> AsyncDispatcher::invoke_async(Callee callee, PayloadView bytes,
                                                  std::uint32_t depth, const TraceContext* trace,
                                                  AsyncCompletion completion) {
  return accept_event(callee, bytes.size(), depth, trace, std::move(completion),
                      [bytes](AsyncEvent& event) { event.set_body(bytes); });
}

template <class SetBody>
Expected<RequestId> AsyncDispatcher::accept_event(Callee callee, std::size_t size,
                                                  std::uint32_t depth, const TraceContext* trace,
                                                  AsyncCompletion&& completion,
                                                  SetBody&& set_body) {
  auto target = core_.validate(callee, 0, {});
  if (!target) return Unexpected(std::move(target).error());
  Version& v = *target->version;
  if (size > core_.config.max_async_request_bytes) {
    return fail(Errc::request_too_large, "Request must be smaller than " +
                                             std::to_string(core_.config.max_async_request_bytes) +
                                             " bytes for the asynchronous invoke operation (got " +
                                             std::to_string(size) + ")");
  }
  if (v.durable_queue && completion) {
    return fail(Errc::invalid_argument,
                "a durable event queue may run the event in another process, which cannot call "
                "back: use a destination instead of a completion");
  }
  AsyncEvent* event = EventPool::take();
  try {
    set_body(*event);  // a large body is copied into a new Payload
    if (completion) event->completion = new AsyncCompletion(std::move(completion));
  } catch (...) {
    EventPool::give(event);
    throw;
  }
  event->id = core_.request_ids.next();
  event->version = &v;
  event->alias = target->alias;
  event->qualified = !target->qualifier.empty();
  const AsyncConfig* alias_config =
      target->alias != nullptr ? target->alias->async.load(std::memory_order_acquire) : nullptr;
  event->config = alias_config != nullptr ? alias_config : v.async.load(std::memory_order_acquire);
  event->enqueued = core_.clock_is_steady ? TickClock::now() : core_.config.clock->now();
  event->depth = depth;
  // The caller's trace, or a new one (its id starts with the time, as X-Ray's do).
  if (trace != nullptr) {
    event->trace = *trace;
  } else {
    event->trace = TraceIds::new_trace(
        core_.clock_is_steady ? core_.unix_seconds(event->enqueued)
                              : std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch()),
        event->id);
  }
  event->attempt_span = 0;
  const RequestId id = event->id;
  v.counters.async().async_received.fetch_add(1, std::memory_order_relaxed);
  AliasCounters* via_alias = target->alias != nullptr ? target->alias->counters : nullptr;
  if (via_alias != nullptr) via_alias->async_received.fetch_add(1, std::memory_order_relaxed);
  if (depth > EngineCore::max_chain_depth && v.recursive_loop == RecursiveLoop::terminate) {
    // Accepted, as Lambda does, then stopped: straight to failure handling.
    v.counters.recursive_dropped.fetch_add(1, std::memory_order_relaxed);
    fail_event(event, DropReason::recursive_loop, nullptr,
               "stopped as a recursive loop: the chain of invocations is deeper than 16");
    return id;
  }
  if (v.durable_queue) return store_event(v, event, via_alias);
  // Events waiting for a retry count against the bound too: a flood of failing events must
  // not pile up behind their retry delays.
  if (v.delayed.load(std::memory_order_relaxed) >= v.queue_depth || !v.queue->push(event)) {
    v.counters.async().async_received.fetch_sub(1, std::memory_order_relaxed);
    if (via_alias != nullptr) via_alias->async_received.fetch_sub(1, std::memory_order_relaxed);
    EventPool::give(event);
    return fail(Errc::resource_exhausted,
                "the asynchronous queue of " + std::string(callee.qualified_name) + " is full");
  }
  schedule_pump(v, core_.own_worker());
  // A caller held between `validate` and the push (preempted, say) may push after shutdown
  // spilled the queues, when nothing would run or spill the event again: then the caller
  // spills what the version's queue holds itself. schedule_pump's fence, after the push,
  // pairs with stop_dispatching's.
  if (!dispatching_.load(std::memory_order_relaxed)) {
    while (AsyncEvent* late = v.queue->pop()) spill(late);
  }
  return id;
}

Expected<RequestId> AsyncDispatcher::store_event(Version& v, AsyncEvent* event,
                                                 AliasCounters* via_alias) {
  // Counted by the process that takes it from the queue; an event refused here never was.
  v.counters.async().async_received.fetch_sub(1, std::memory_order_relaxed);
  if (via_alias != nullptr) via_alias->async_received.fetch_sub(1, std::memory_order_relaxed);
  const RequestId id = event->id;
  Status stored;
  try {
    stored = v.queue->store(*event);
  } catch (const std::exception& e) {
    stored = fail(Errc::unavailable, std::string("the durable event queue failed: ") + e.what());
  } catch (...) {
    stored = fail(Errc::unavailable, "the durable event queue failed");
  }
  EventPool::give(event);
  if (!stored) return Unexpected(std::move(stored).error());
  return id;
}

void AsyncDispatcher::adopt(Version& v, AsyncEvent& event) noexcept {
  event.version = &v;
  const AliasRoute* alias = nullptr;
  if (!event.alias_name.empty()) {
    std::shared_lock lock(v.function->mutex);
    if (auto it = v.function->aliases.find(event.alias_name); it != v.function->aliases.end()) {
      alias = it->second;
    }
  }
  event.alias = alias;
  const AsyncConfig* alias_config =
      alias != nullptr ? alias->async.load(std::memory_order_acquire) : nullptr;
  event.config = alias_config != nullptr ? alias_config : v.async.load(std::memory_order_acquire);
  if (!core_.clock_is_steady) {
    // Restored by the steady clock: as old by the engine's.
    event.enqueued = core_.config.clock->now() - (steady::now() - event.enqueued);
  }
  v.counters.async().async_received.fetch_add(1, std::memory_order_relaxed);
  if (alias != nullptr) alias->counters->async_received.fetch_add(1, std::memory_order_relaxed);
}

void AsyncDispatcher::listen(Version& v) {
  if (!v.durable_queue) return;
  v.queue->set_listener([this, &v] {
    if (dispatching_.load(std::memory_order_acquire)) schedule_pump(v, nullptr);
  });
  // For what arrived before the listener; after shutdown began, nothing runs it any more.
  if (dispatching_.load(std::memory_order_acquire)) {
    schedule_pump(v, nullptr);
  } else {
    v.queue->close();
  }
}

void AsyncDispatcher::close_queues() noexcept {
  core_.registry.for_each_version([](Version& v) {
    if (v.durable_queue) v.queue->close();
  });
}

void AsyncDispatcher::schedule_pump(Version& v, Worker* worker) {
  // A plain load first: while a pump is on its way, producers only read the shared line. The
  // fence pairs with the pump's: either the pump sees the new event, or this sees no pump
  // (and, for accept_event, with stop_dispatching's).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (v.pump_posted.load(std::memory_order_acquire) ||
      v.pump_posted.exchange(true, std::memory_order_acq_rel)) {
    return;
  }
  const Job job{[](Worker& worker, const Job& job) {
                  static_cast<AsyncDispatcher*>(job.b)->pump(*static_cast<Version*>(job.a), worker);
                },
                &v, this};
  if (worker != nullptr) {
    worker->post(Task::run(job));
  } else {
    core_.post_anywhere(job);
  }
}

void AsyncDispatcher::pump(Version& v, Worker& worker) {
  v.pump_posted.store(false, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // see schedule_pump
  if (!dispatching_.load(std::memory_order_acquire)) return;
  // Served from the waiting list: one place is this version's even if others still wait.
  bool granted = v.window_granted.exchange(false, std::memory_order_acq_rel);
  for (;;) {
    // Versions already waiting for a place go first: a busy version's pump (posted by its
    // producers or completions) must not take every place that frees up.
    const bool others_first = !granted && others_waiting(v);
    if (others_first || in_flight_.load(std::memory_order_acquire) >= window_) {
      // A served version whose place another pump took meanwhile stays first in line: sent
      // to the back, it could lose the same race on every place that frees up.
      if (v.queue->depth_approx() > 0) await_window(v, granted);
      return;
    }
    granted = false;
    if (!reserve_running(v)) {
      if (in_flight_.load(std::memory_order_acquire) < window_) serve_window(&worker);
      return;
    }
    NextEvent next = NextEvent::empty;
    EventInvocation* inv = take_event(v, nullptr, next, {});
    if (inv == nullptr) {
      v.async_running.fetch_sub(1, std::memory_order_seq_cst);
      // moodycamel can miss an item that is mid-enqueue; come back for it. A throttled event
      // waits for its backoff (or a completion pumps again).
      if (next == NextEvent::empty && v.queue->depth_approx() > 0) schedule_pump(v, &worker);
      // A place this pump was served but did not use (its events were taken by a draining
      // environment) passes to the next waiting version: no completion is left to do it.
      if (in_flight_.load(std::memory_order_acquire) < window_) serve_window(&worker);
      return;
    }
    in_flight_.fetch_add(1, std::memory_order_acq_rel);
    Environment* env = v.pool.try_acquire(worker.index());
    core_.count_spillover(v, env);
    core_.dispatch(*inv, env, &worker);
    // Let the environment run now: it takes the version's next events itself, so a backlog
    // flows through a few warm environments rather than a cold start per event.
    boost::this_fiber::yield();
    if (!dispatching_.load(std::memory_order_acquire)) return;
  }
}

bool AsyncDispatcher::reserve_running(Version& v) noexcept {
  // Environments of a brief handler take the version's next event as they finish: a new one
  // per queued event would only add cold starts (and a stack each), so at most one per worker
  // runs; slower handlers scale out, as Lambda's do. Each running one pumps the version once
  // it ends (the read-modify-writes order this against that).
  const std::uint32_t running = v.async_running.fetch_add(1, std::memory_order_seq_cst);
  if (running < core_.workers.size() || !v.async_brief.load(std::memory_order_relaxed)) {
    return true;
  }
  v.async_running.fetch_sub(1, std::memory_order_seq_cst);
  return false;
}

EventInvocation* AsyncDispatcher::take_event(Version& v, EventInvocation* reuse, NextEvent& next,
                                             steady::time_point started,
                                             TakenEvents* taken) noexcept {
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
    if (event->version == nullptr) adopt(v, *event);  // restored by a durable queue
    // One clock read serves both clocks when the engine's is the steady clock.
    if (started == steady::time_point{}) started = TickClock::now();
    const auto now = core_.clock_is_steady ? started : core_.config.clock->now();
    if (now - event->enqueued > event->config->maximum_event_age) {
      fail_event(event, DropReason::event_age_exceeded, nullptr,
                 "Event age exceeded MaximumEventAgeInSeconds");
      continue;
    }
    if (fn.reserved.load(std::memory_order_relaxed) == 0) {
      v.counters.throttles.fetch_add(1, std::memory_order_relaxed);
      if (event->alias != nullptr) {
        event->alias->counters->throttles.fetch_add(1, std::memory_order_relaxed);
      }
      fail_event(event, DropReason::throttled, nullptr,
                 "The function's reserved concurrency is 0: events go to failure handling");
      continue;
    }
    // The held slot carries over while the limits still allow it: no release and acquire of
    // the shared counters per drained event.
    if (holding && !core_.concurrency.still_fits(fn, reuse->slot)) {
      stop_draining(v, taken, reuse->slot);
      holding = false;
    }
    auto slot = holding ? Expected<ConcurrencySlot>(reuse->slot) : core_.concurrency.acquire(fn, v);
    if (!slot) {
      // Throttled: not a function error. Back off (1 s doubling to 5 min by default).
      v.counters.async().async_throttled.fetch_add(1, std::memory_order_relaxed);
      if (event->alias != nullptr) {
        event->alias->counters->throttles.fetch_add(1, std::memory_order_relaxed);
      }
      const auto shift = std::min<std::uint32_t>(event->throttles, 20);
      // Saturating: a configured backoff may be as long as nanoseconds::max() ("forever").
      auto backoff = saturating_doubled(core_.config.async_throttle_backoff, shift);
      backoff = std::min(backoff, core_.config.async_throttle_backoff_max);
      ++event->throttles;
      delay(event, saturating_add(now, backoff));
      return give_up(NextEvent::throttled);
    }
    if (!holding) v.counters.concurrent.fetch_add(1, std::memory_order_relaxed);
    event->throttles = 0;
    if (event->attempts == 0) {
      if (auto* c = v.counters.per_worker.local())
        c->record(c->async_event_age, now - event->enqueued);
    }
    ++event->attempts;
    EventInvocation* inv = reuse != nullptr ? reuse : make_event_invocation(*this);
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
    if (event->alias != nullptr) {
      inv->invoked_qualifier = event->alias->name;
      inv->alias_counters = &event->alias->counters->per_worker;
    } else {
      inv->invoked_qualifier = event->qualified ? std::string_view(v.name) : std::string_view();
      inv->alias_counters = nullptr;
    }
    inv->slot = *slot;
    inv->depth = event->depth;
    // Each attempt is a span of its own, a child of the event's caller.
    inv->attempt = event->attempts;
    inv->trace = event->trace;
    inv->parent_span = event->trace.span_id;
    inv->trace.span_id = event->attempt_span = TraceIds::span_id();
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

void AsyncDispatcher::suspended(EventInvocation& inv) noexcept {
  // A suspended handler may wait long (even for events of its own version): the version's
  // queued events start environments of their own meanwhile (`reserve_running`). Counted
  // again when it settles.
  Version& v = version_of(inv);
  TakenEvents& taken = inv.taken;
  if (inv.counted) {
    inv.counted = false;
    v.async_running.fetch_sub(1, std::memory_order_seq_cst);
  }
  if (!taken.empty()) {
    hand_back(v, taken);
  } else if (v.queue->depth_approx() > 0) {
    schedule_pump(v, nullptr);
  }
}

void AsyncDispatcher::hand_back(Version& v, TakenEvents& taken) noexcept {
  if (taken.empty()) return;
  // Also called from the scheduler, where no user callback may run: an event the queue has no
  // memory for is not failed here but stays taken, and runs after the handler.
  requeue(v, taken);
  schedule_pump(v, nullptr);
}

void AsyncDispatcher::requeue(Version& v, TakenEvents& taken) noexcept {
  taken.keep_unless([&](AsyncEvent* event) { return v.queue->requeue(event); });
}

void AsyncDispatcher::put_back(Version& v, TakenEvents& taken) noexcept {
  requeue(v, taken);
  taken.release_each([&](AsyncEvent* event) {
    if (event->queue_tag != 0) {
      if (event->version == nullptr) event->version = &v;
      give_back(event);  // a durable queue's: not lost, delivered again
      return;
    }
    fail_event(event, DropReason::throttled, nullptr, "no memory left to queue the event again");
  });
}

void AsyncDispatcher::stop_draining(Version& v, TakenEvents* taken, ConcurrencySlot slot) noexcept {
  // Events go back before the slot: shutdown waits for slots, then spills the queues.
  if (taken != nullptr) put_back(v, *taken);
  core_.concurrency.release(v, slot);
  v.counters.concurrent.fetch_sub(1, std::memory_order_relaxed);
}

bool AsyncDispatcher::others_waiting(const Version& v) const noexcept {
  const std::uint32_t waiting = window_waiter_count_.load(std::memory_order_acquire);
  return waiting > (v.awaiting_window.load(std::memory_order_acquire) ? 1u : 0u);
}

void AsyncDispatcher::await_window(Version& v, bool first) {
  if (!v.awaiting_window.exchange(true, std::memory_order_acq_rel)) {
    std::lock_guard lock(window_mutex_);
    if (first) {
      window_waiters_.push_front(&v);
    } else {
      window_waiters_.push_back(&v);
    }
    window_waiter_count_.store(static_cast<std::uint32_t>(window_waiters_.size()),
                               std::memory_order_release);
  }
  // The last invocation may have finished before the listing: serve it ourselves then. The
  // fence pairs with serve_window's: a completion either sees this listing or is seen here.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (in_flight_.load(std::memory_order_acquire) < window_) serve_window(nullptr);
}

void AsyncDispatcher::serve_window(Worker* worker) {
  // The lock only when some version waits. The fence pairs with await_window's: a version
  // listed after this read sees the place this caller freed, and serves itself.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (window_waiter_count_.load(std::memory_order_acquire) == 0) return;
  Version* next = nullptr;
  {
    std::lock_guard lock(window_mutex_);
    if (window_waiters_.empty()) return;
    next = window_waiters_.front();
    window_waiters_.pop_front();
    window_waiter_count_.store(static_cast<std::uint32_t>(window_waiters_.size()),
                               std::memory_order_release);
  }
  next->awaiting_window.store(false, std::memory_order_release);
  next->window_granted.store(true, std::memory_order_release);
  schedule_pump(*next, worker);
}

}  // namespace nanofaas::detail
