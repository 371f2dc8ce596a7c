#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "async/async_queue.hpp"
#include "async/taken_events.hpp"
#include "common/fail.hpp"
#include "core/function.hpp"
#include "core/function_index.hpp"
#include "exec/exec_host.hpp"
#include "exec/invocation.hpp"
#include "exec/provision_latch.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/invoke_result.hpp"
#include "runtime/worker.hpp"
#include "runtime/worker_hooks.hpp"

namespace nanofaas::detail {

class Mapping;
struct EventInvocation;
struct PollerSet;

/// Hands out request ids: a random per-engine prefix and a per-thread block of counters, so
/// that no two threads touch the same cache line per call.
class RequestIdSource {
 public:
  RequestIdSource();
  RequestId next() noexcept;

 private:
  std::uint64_t prefix_;
  std::atomic<std::uint64_t> next_block_{1};
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// A name resolved to what runs: the function, the version, and the qualifier as invoked.
struct Target {
  Function* function = nullptr;
  Version* version = nullptr;
  std::string_view qualifier;         // engine-owned
  const AliasRoute* alias = nullptr;  // set when invoked through an alias
};

/// The engine's state and its invocation path, shared by workers and the public `Engine`.
struct EngineCore : ExecHost, WorkerHooks {
  using time_point = std::chrono::steady_clock::time_point;

  explicit EngineCore(EngineConfig engine_config);
  ~EngineCore();
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  /// Starts the workers.
  void start();
  /// Stops accepting calls, lets queued async events run for up to `drain`, waits for
  /// running handlers, spills what is left, retires environments, joins workers.
  void shutdown(std::chrono::nanoseconds drain) noexcept;

  /// Looks up "name", "name:$LATEST", "name:7" or "name:alias" (shared locks only).
  Expected<Target> resolve(std::string_view qualified_name) const;
  Function* find_function(std::string_view name) const;
  /// Checks everything a call needs before it runs (DryRun's work).
  Expected<Target> validate(std::string_view qualified_name, std::size_t payload_size,
                            std::string_view principal) const;
  /// The synchronous call path for `Engine::invoke` and `Context::invoke`.
  /// `parent_deadline`: the calling handler's deadline (max for the host), past which a
  /// nested caller stops waiting.
  /// `batch`: a mapping's batch (the event), from a poller fiber, which waits until the
  /// handler returns even past its deadline (the records must outlive it).
  InvokeResult invoke(std::string_view qualified_name, PayloadView payload, Payload* owned,
                      const InvokeOptions& options, std::uint32_t depth,
                      Clock::time_point parent_deadline = Clock::time_point::max(),
                      BatchCall* batch = nullptr);
  /// Called by an environment when an invocation finished: releases its concurrency and hands
  /// the result over, or frees the invocation when the caller had already given up.
  /// Counts the invocation (unless the caller already did, having given up).
  void complete(Invocation& invocation, bool timed_out) noexcept override;
  /// A handler's nested calls (`Context::invoke`, `Context::invoke_async`).
  InvokeResult nested_invoke(std::string_view qualified_name, PayloadView payload,
                             const InvokeOptions& options, std::uint32_t depth,
                             Clock::time_point parent_deadline) override {
    return invoke(qualified_name, payload, nullptr, options, depth, parent_deadline);
  }
  Expected<RequestId> nested_invoke_async(std::string_view qualified_name, PayloadView payload,
                                          std::uint32_t depth) override {
    return invoke_async(qualified_name, payload, depth);
  }
  /// `complete` for an Event invocation; see `complete_async` for `continue_here`.
  Invocation* complete_event(EventInvocation& invocation, bool timed_out, bool continue_here,
                             Clock::time_point now) noexcept;
  /// Takes every idle environment out of every pool and retires it.
  void retire_all_idle();
  /// Retires idle on-demand environments past their keep-alive.
  std::size_t reclaim_idle_environments();
  /// Posts a retire task for each environment (already taken out of its pool).
  void retire(const std::vector<Environment*>& environments);
  /// Lambda's `Event` invocation: queues the event and returns its id at once.
  /// `completion`: told the outcome once the event ends (empty: nobody asked).
  Expected<RequestId> invoke_async(std::string_view qualified_name, Payload payload,
                                   std::uint32_t depth, AsyncCompletion completion = {});
  /// The same, copying `bytes` (into the event itself when they are small).
  Expected<RequestId> invoke_async(std::string_view qualified_name, PayloadView bytes,
                                   std::uint32_t depth, AsyncCompletion completion = {});
  /// Lambda's recursive loop detection: a chain deeper than this is stopped.
  static constexpr std::uint32_t max_chain_depth = 16;
  /// Dispatches `version`'s queued events while concurrency allows. On a worker's main fiber.
  void pump(Version& version, Worker& worker);
  /// An Event invocation finished: success, retry, or failure handling; releases its slot.
  /// With `continue_here` (its environment is kept), returns `invocation` refilled with the
  /// version's next runnable event for the same environment, or nullptr. On a worker.
  /// `now`: the steady time the invocation ended (the next one's start). `taken`: the
  /// environment's events taken in bulk, refilled from or put back (when it stops draining).
  Invocation* complete_async(EventInvocation& invocation, bool continue_here,
                             Clock::time_point now) noexcept;
  /// What `take_event` found.
  enum class NextEvent : std::uint8_t { taken, empty, throttled };
  /// Pops `version`'s next runnable event (failing the expired ones) and starts an invocation
  /// for it (into `reuse` if given), holding a concurrency slot; nullptr when the queue is
  /// empty or the event was throttled (then delayed with a backoff). `reuse` still holds its
  /// slot: it carries over, or is released when nothing is returned.
  /// `started`: the steady time now, if the caller has it (else read here). `taken`: take
  /// from these (refilled in bulk) instead of one at a time; put back when nothing is returned.
  EventInvocation* take_event(Version& version, EventInvocation* reuse, NextEvent& next,
                              Clock::time_point started, TakenEvents* taken = nullptr) noexcept;
  /// Returns the events `taken` did not run to `version`'s queue (failing any it has no memory
  /// for), so that another environment runs them.
  void put_back(Version& version, TakenEvents& taken) noexcept;
  /// Requeues the events `taken` did not run and pumps `version`: they run in other
  /// environments while the one that took them is busy (a slow or suspended handler). One the
  /// queue has no memory for stays in `taken`. Runs no user code, so the scheduler may call it.
  void hand_back(Version& version, TakenEvents& taken) noexcept;
  /// Requeues what `taken` did not run; what the queue has no memory for stays in `taken`.
  void requeue(Version& version, TakenEvents& taken) noexcept;
  /// True when a slot held by a finished invocation of `fn` may carry over to its next one
  /// (the reservation and the unreserved pool did not shrink below what is in flight).
  bool slot_still_fits(const Function& fn, ConcurrencySlot slot) const noexcept;
  /// A draining environment stops: the events it took and did not run go back to the queue,
  /// then its slot and its count in the version's concurrent executions are released.
  void stop_draining(Version& v, TakenEvents* taken, ConcurrencySlot slot) noexcept;
  /// Hands `record` to every target of `destination`: its callback, its function (invoked
  /// asynchronously at chain `depth`), its queue. False when a target threw or refused it.
  bool deliver(const Destination& destination, const InvocationRecord& record,
               std::uint32_t depth) noexcept;
  /// Moves due delayed events back to their queues; true while any are still delayed.
  bool release_due_events();
  /// Accepted async events neither finished nor waiting for a retry or backoff.
  std::uint64_t async_runnable();
  /// Hands every queued or delayed event to the spill handler. After dispatching stopped.
  void spill_all() noexcept;
  /// Sends a handler's log line to the sink.
  void log(const EnvironmentSpec& spec, std::string_view request_id,
           std::string_view message) const override;
  /// The least loaded worker.
  Worker& pick_worker() noexcept;
  /// The worker whose thread this is, if it is one of this engine's; else nullptr.
  Worker* own_worker() const noexcept {
    Worker* self = Worker::current();
    return self != nullptr && &self->hooks() == this ? self : nullptr;
  }
  /// Worker 0's periodic work: reclaims idle environments past their keep-alive about once a
  /// second, and releases delayed async events when due (by the engine's clock, which may be
  /// a test's: looked at every millisecond while any are delayed).
  time_point housekeeping(time_point now) override;
  /// A stopping worker's sweep: environments that became idle after the engine's last one (a
  /// provisioned one replacing a lost one, say) are retired too.
  void sweep() override { retire_all_idle(); }
  /// Time for keep-alive stamps: `end` when the configured clock is the steady clock.

  EngineConfig config;
  const std::uint64_t id;  // unique per engine in the process (keys thread-local caches)
  bool clock_is_steady;
  std::vector<std::unique_ptr<Worker>> workers;
  time_point next_reclaim{};  // worker 0's main fiber only
  bool stopped = false;

  mutable std::shared_mutex registry_mutex;
  std::unordered_map<std::string, std::unique_ptr<Function>, StringHash, std::equal_to<>> functions;
  FunctionIndex function_index;  // the same functions, for lookups by name

  /// Invocations in flight of functions without a reservation, and the sum of reservations.
  std::atomic<std::uint32_t> unreserved_in_flight{0};
  std::atomic<std::uint32_t> total_reserved{0};
  RequestIdSource request_ids;

  /// Event source mappings by UUID, and every poller set ever started (a listener or a wake-up
  /// task may name a poller after its mapping stopped; freed with the engine).
  std::mutex mapping_ops_mutex;       // serialises create / update / delete / stop_mappings
  bool mappings_closed = false;       // set by stop_mappings: no new mapping starts
  mutable std::mutex mappings_mutex;  // guards the two containers
  std::map<std::string, std::unique_ptr<Mapping>, std::less<>> mappings;
  std::vector<std::shared_ptr<PollerSet>> poller_sets;
  /// Stops every mapping's pollers (after their current batch). Blocks.
  void stop_mappings() noexcept;

  /// Async events waiting for a retry or a throttle backoff, by due time (engine clock).
  std::mutex delayed_mutex;
  std::multimap<Clock::time_point, AsyncEvent*> delayed;
  std::atomic<bool> async_dispatching{true};  // false once shutdown stops new dispatches
  /// Async invocations dispatched and not finished, at most `async_window` (64 per worker):
  /// a backlog runs through a few warm environments instead of starting one per event, and
  /// never takes the whole concurrency limit from synchronous callers.
  std::atomic<std::uint32_t> async_in_flight{0};
  std::uint32_t async_window;
  /// Versions with queued events that found the window full, served first come, first served.
  std::mutex window_mutex;
  std::deque<Version*> window_waiters;
  /// `window_waiters.size()`, readable without the lock: an environment goes on with its own
  /// version's next event only while no other version waits for a place in the window.
  std::atomic<std::uint32_t> window_waiter_count{0};

 private:
  Expected<ConcurrencySlot> acquire_slot(Function& function, Version& version);
  void release_slot(Function& function, ConcurrencySlot slot) noexcept;
  /// Sends the invocation to `env` (null: a cold start), on `self` (the caller's worker, or
  /// null) directly when that is where it runs.
  void dispatch(Invocation& invocation, Environment* env, Worker* self);
  void count_spillover(Version& version, const Environment* env) noexcept;

  /// Nested calls deeper than this switch to the callee's own fiber instead of running on the
  /// caller's stack, so a recursive chain cannot overflow one stack.
  static constexpr std::uint32_t max_inline_depth = 8;
  InvokeResult wait(Invocation* invocation, Clock::time_point parent_deadline);
  InvokeResult abandon(Version& version, RequestId id);
  void schedule_pump(Version& version, Worker* worker);
  /// True when versions other than `version` wait for a place in the window.
  bool others_waiting(const Version& version) const noexcept;
  /// Lists `version` to be pumped when the window has room again: last, or `first`.
  void await_window(Version& version, bool first = false);
  /// Schedules the first listed version's pump if the window has room.
  void serve_window(Worker* worker);
  /// Validates, takes an event from the pool, fills it (`set_body(event)`), and queues it.
  template <class SetBody>
  Expected<RequestId> accept_event(std::string_view qualified_name, std::size_t size,
                                   std::uint32_t depth, AsyncCompletion&& completion,
                                   SetBody&& set_body);
  void delay(AsyncEvent* event, Clock::time_point due);
  /// Failure handling: the on-failure destination and dead letters; counted as dropped for
  /// `reason` (and as discarded when it has neither).
  void fail_event(AsyncEvent* event, DropReason reason, const InvokeOutput* out,
                  std::string_view error_message) noexcept;
  /// Counts an event dropped for `reason`, and discarded unless it `has_target`.
  static void count_drop(Version& version, DropReason reason, bool has_target) noexcept;
  /// Hands `letter` to the dead-letter callback and queue of `async`, if any. A target that
  /// throws or refuses it is counted in `DeadLetterErrors`.
  void send_dead_letter(Version& version, const AsyncConfig& async,
                        const DeadLetter& letter) noexcept;
  void finish_event(AsyncEvent* event) noexcept;
  /// Hands the event's outcome to its completion callback, if it has one.
  static void notify(AsyncEvent& event, std::string_view condition, InvokeResult result) noexcept;
  void spill(AsyncEvent* event) noexcept;
};


}  // namespace nanofaas::detail
