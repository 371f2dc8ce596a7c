#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string_view>

#include "async/async_event.hpp"
#include "async/taken_events.hpp"
#include "core/engine_core.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/async_outcome.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas::detail {

struct EventInvocation;

/// Lambda's `Event` invocation on top of the core: per-version queues, dispatch under the
/// concurrency limits and a window of invocations in flight, retries and throttle backoff on
/// the engine's clock, destinations, dead letters, and the drain at shutdown. Every accepted
/// event ends in exactly one counter: succeeded, failed (failure handling) or spilled; the
/// last two also count it as dropped, with its reason, and as discarded when it had no target.
class AsyncDispatcher {
 public:
  using time_point = Clock::time_point;

  explicit AsyncDispatcher(EngineCore& core);
  AsyncDispatcher(const AsyncDispatcher&) = delete;
  AsyncDispatcher& operator=(const AsyncDispatcher&) = delete;

  /// Queues an event and returns its id at once; `completion` is told the outcome once the
  /// event ends (empty: nobody asked). The payload is handed over. The event continues
  /// `trace` (its `span_id` the caller's span), or starts a new trace when null.
  Expected<RequestId> invoke_async(Callee callee, Payload payload, std::uint32_t depth,
                                   const TraceContext* trace, AsyncCompletion completion = {});
  /// The same, copying `bytes` (into the event itself when they are small).
  Expected<RequestId> invoke_async(Callee callee, PayloadView bytes, std::uint32_t depth,
                                   const TraceContext* trace, AsyncCompletion completion = {});

  /// A durable queue's listener for `version` (nothing for other queues): its events are
  /// pumped when they arrive, while dispatching goes on.
  void listen(Version& version);
  /// Closes every durable queue (shutdown): no more events from elsewhere.
  void close_queues() noexcept;
  /// Dispatches `version`'s queued events while concurrency allows. On a worker's main fiber.
  void pump(Version& version, Worker& worker);
  /// An Event invocation ended: counts it, then success, retry, or failure handling, and
  /// releases its slot. With `continue_here` (its environment is kept), returns it refilled
  /// with the version's next runnable event for the same environment, or nullptr (then it is
  /// freed). `now`: the steady time it ended (the next one's start). On a worker.
  Invocation* complete(EventInvocation& invocation, bool timed_out, bool continue_here,
                       time_point now) noexcept;
  /// The handler of `invocation` suspended: it no longer counts among its version's running
  /// invocations, and the events it took and those queued run in other environments
  /// meanwhile (`hand_back`, a pump). Runs no user code, so the scheduler may call it.
  void suspended(EventInvocation& invocation) noexcept;
  /// Requeues the events `taken` did not run and pumps `version`: they run in other
  /// environments while the one that took them is busy (a slow or suspended handler). One the
  /// queue has no memory for stays in `taken`. Runs no user code.
  void hand_back(Version& version, TakenEvents& taken) noexcept;
  /// Hands `record` to every target of `destination`: its callback, its function (invoked
  /// asynchronously at chain `depth`), its queue and its record sink (both at `depth`). False
  /// when a target threw or refused it.
  bool deliver(const Destination& destination, const InvocationRecord& record,
               std::uint32_t depth) noexcept;

  /// Moves due delayed events back to their queues; true while any are still delayed.
  bool release_due_events();
  /// Accepted events neither finished nor waiting for a retry or backoff.
  std::uint64_t runnable();
  /// No new dispatches from now on (shutdown): what is queued stays for `spill_all`, and an
  /// event a caller pushes later is spilled by that caller.
  void stop_dispatching() noexcept;
  /// Hands every queued or delayed event to the spill handler. After dispatching stopped.
  void spill_all() noexcept;

 private:
  /// What `take_event` found.
  enum class NextEvent : std::uint8_t { taken, empty, throttled };

  /// Validates, takes an event from the pool, fills it (`set_body(event)`), and queues it.
  template <class SetBody>
  Expected<RequestId> accept_event(Callee callee, std::size_t size, std::uint32_t depth,
                                   const TraceContext* trace, AsyncCompletion&& completion,
                                   SetBody&& set_body);
  /// `accept_event` for a durable queue: stores the event and frees it here.
  Expected<RequestId> store_event(Version& version, AsyncEvent* event, AliasCounters* via_alias);
  /// Makes an event a durable queue restored `version`'s: its alias, configuration, and
  /// enqueue time by the engine's clock; counts it received.
  void adopt(Version& version, AsyncEvent& event) noexcept;
  /// Hands a durable queue's event back to it (`Settlement::returned`) and frees it.
  void give_back(AsyncEvent* event) noexcept;
  /// Frees an event that ended: a durable queue's is settled back to it first, as `how`.
  void finish(AsyncEvent* event, Settlement how,
              std::chrono::nanoseconds delay = std::chrono::nanoseconds(0)) noexcept;
  /// Posts a pump of `version` (to `worker`, or the least loaded) unless one is on its way.
  void schedule_pump(Version& version, Worker* worker);
  /// Pops `version`'s next runnable event (failing the expired ones) and starts an invocation
  /// for it (into `reuse` if given), holding a concurrency slot; nullptr when the queue is
  /// empty or the event was throttled (then delayed with a backoff). `reuse` still holds its
  /// slot: it carries over, or is released when nothing is returned.
  /// `started`: the steady time now, if the caller has it (else read here). `taken`: take
  /// from these (refilled in bulk) instead of one at a time; put back when nothing is returned.
  EventInvocation* take_event(Version& version, EventInvocation* reuse, NextEvent& next,
                              time_point started, TakenEvents* taken = nullptr) noexcept;
  /// Counts an Event invocation of `version` about to start (in `Version::async_running`),
  /// unless its queued events are better left to those running: a brief handler, and one
  /// running per worker already. False: nothing counted.
  bool reserve_running(Version& version) noexcept;
  /// Returns the events `taken` did not run to `version`'s queue (failing any it has no memory
  /// for), so that another environment runs them.
  void put_back(Version& version, TakenEvents& taken) noexcept;
  /// Requeues what `taken` did not run; what the queue has no memory for stays in `taken`.
  void requeue(Version& version, TakenEvents& taken) noexcept;
  /// A draining environment stops: the events it took and did not run go back to the queue,
  /// then its slot and its count in the version's concurrent executions are released.
  void stop_draining(Version& version, TakenEvents* taken, ConcurrencySlot slot) noexcept;
  /// True when versions other than `version` wait for a place in the window.
  bool others_waiting(const Version& version) const noexcept;
  /// Lists `version` to be pumped when the window has room again: last, or `first`.
  void await_window(Version& version, bool first = false);
  /// Schedules the first listed version's pump if the window has room.
  void serve_window(Worker* worker);
  /// `complete` after the counts: settles the outcome before the slot, so that shutdown sees
  /// it first.
  Invocation* settle(EventInvocation& invocation, bool continue_here, time_point now) noexcept;
  /// Keeps `event` until `due` (engine clock): a retry or a throttle backoff.
  void delay(AsyncEvent* event, time_point due);
  /// Failure handling: the on-failure destination and dead letters; counted as dropped for
  /// `reason` (and as discarded when it has neither).
  void fail_event(AsyncEvent* event, DropReason reason, const InvokeOutput* out,
                  std::string_view error_message) noexcept;
  /// The trace an event's destination and dead letters continue: a new span, child of its
  /// last attempt (or of its caller when none ran).
  static TraceContext delivery_trace(const AsyncEvent& event) noexcept;
  /// Exports the span of a delivery made from `start` to now (when tracing).
  void export_delivery_span(const AsyncEvent& event, const TraceContext& delivery,
                            std::string_view condition, bool delivered,
                            time_point start) const noexcept;
  /// Hands `letter` to the dead-letter callback, queue and sink of `async`, if any. A target
  /// that throws or refuses it is counted in `DeadLetterErrors`.
  /// False when one did.
  bool send_dead_letter(Version& version, const AsyncConfig& async,
                        const DeadLetter& letter) noexcept;
  /// Shutdown's end for an event still queued or delayed.
  void spill(AsyncEvent* event) noexcept;

  EngineCore& core_;
  /// Events waiting for a retry or a throttle backoff, by due time (engine clock).
  std::mutex delayed_mutex_;
  std::multimap<time_point, AsyncEvent*> delayed_;
  std::atomic<bool> dispatching_{true};  // false once shutdown stops new dispatches
  /// Invocations dispatched and not finished, at most `window_` (64 per worker): a backlog
  /// runs through a few warm environments instead of starting one per event, and never takes
  /// the whole concurrency limit from synchronous callers.
  std::atomic<std::uint32_t> in_flight_{0};
  const std::uint32_t window_;
  /// Versions with queued events that found the window full, served first come, first served.
  std::mutex window_mutex_;
  std::deque<Version*> window_waiters_;
  /// `window_waiters_.size()`, readable without the lock: an environment goes on with its own
  /// version's next event only while no other version waits for a place in the window.
  std::atomic<std::uint32_t> window_waiter_count_{0};
};

}  // namespace nanofaas::detail
