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

#include "common/callee.hpp"
#include "common/fail.hpp"
#include "core/concurrency.hpp"
#include "core/function.hpp"
#include "core/invoke_request.hpp"
#include "core/registry.hpp"
#include "core/request_id_source.hpp"
#include "exec/exec_host.hpp"
#include "exec/invocation.hpp"
#include "exec/log_writer.hpp"
#include "exec/provision_latch.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/invoke_result.hpp"
#include "runtime/worker.hpp"
#include "runtime/worker_hooks.hpp"

namespace nanofaas::detail {

/// The engine's core: its workers, the registry of functions, concurrency accounting and the
/// synchronous invocation path. The layers above (async events, mappings) and the public
/// `Engine` build on it; the facade completes it with the hooks that need them.
struct EngineCore : ExecHost, WorkerHooks {
  using time_point = std::chrono::steady_clock::time_point;

  explicit EngineCore(EngineConfig engine_config);
  ~EngineCore();
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  /// Starts the workers.
  void start();
  /// Refuses new calls from now on (`unavailable`).
  void stop_accepting() noexcept;
  /// Blocks until no invocation holds a concurrency slot (running handlers cannot be
  /// pre-empted).
  void wait_for_running() noexcept;
  /// Stops and joins the workers once their fibers have ended. Idempotent.
  void stop_workers() noexcept;

  /// What `callee` names now (an alias routes this call); a handle must be this engine's
  /// (`invalid_argument`).
  Expected<Target> resolve(Callee callee) const {
    if (callee.handle == nullptr) return registry.resolve(callee.qualified_name);
    return resolve(*callee.handle);
  }
  Expected<Target> resolve(const FunctionHandle& handle) const;
  /// Checks everything a call needs before it runs (DryRun's work); a handle must be this
  /// engine's (`invalid_argument`).
  Expected<Target> validate(Callee callee, std::size_t payload_size,
                            std::string_view principal) const;
  /// The synchronous call path: `Engine::invoke`, `Context::invoke` and mappings' batches.
  /// Blocks the calling thread, or only the calling fiber on a worker.
  InvokeResult invoke(const InvokeRequest& request);
  /// Called by an environment when an invocation finished: releases its concurrency and hands
  /// the result over, or frees the invocation when the caller had already given up.
  /// Counts the invocation (unless the caller already did, having given up).
  void complete(Invocation& invocation, bool timed_out) noexcept override;
  /// A handler's nested `Context::invoke` (its `invoke_async` is the facade's: events are
  /// above the core).
  InvokeResult nested_invoke(Callee callee, PayloadView payload, const InvokeOptions& options,
                             std::uint32_t depth, const TraceContext& trace,
                             Clock::time_point parent_deadline) final;
  /// Takes every idle environment out of every pool and retires it.
  void retire_all_idle();
  /// Retires idle on-demand environments past their keep-alive.
  std::size_t reclaim_idle_environments();
  /// Posts a retire task for each environment (already taken out of its pool).
  void retire(const std::vector<Environment*>& environments);
  /// Lambda's recursive loop detection: a chain deeper than this is stopped.
  static constexpr std::uint32_t max_chain_depth = 16;
  [[nodiscard]] const WorkerHooks& worker_hooks() const noexcept override { return *this; }
  /// Where new work goes (`detail::pick_worker`: an awake worker first).
  Worker& pick_worker() noexcept;
  /// Runs `job` on the first worker free (`detail::post_anywhere`): for jobs that may run on
  /// any worker, such as a version's pump. Any thread.
  void post_anywhere(const Job& job);
  /// The worker whose thread this is, if it is one of this engine's; else nullptr.
  Worker* own_worker() const noexcept {
    Worker* self = Worker::current();
    return self != nullptr && &self->hooks() == hooks_self_ ? self : nullptr;
  }
  /// Reclaims idle environments past their keep-alive when the last sweep is a second old
  /// (worker 0's housekeeping); returns when the next one is due.
  time_point reclaim_when_due(time_point now);
  /// A stopping worker's sweep: environments that became idle after the engine's last one (a
  /// provisioned one replacing a lost one, say) are retired too.
  void sweep() override { retire_all_idle(); }

  EngineConfig config;
  /// This engine's id, unique in the process (what its `FunctionHandle`s carry).
  const std::uint64_t id = next_id();
  bool clock_is_steady;
  /// The workers' limit of idle spinners: one less than the cores, for the producers.
  SpinGroup spinners;
  /// Jobs for whichever worker is free first (`post_anywhere`); before the workers, which
  /// point at it.
  SharedJobs shared_jobs;
  std::vector<std::unique_ptr<Worker>> workers;
  time_point next_reclaim{};  // worker 0's main fiber only
  bool stopped = false;       // set by the facade's shutdown
  bool workers_stopped = false;
  /// Set once every worker thread has been joined: nothing runs on them any more.
  std::atomic<bool> workers_joined{false};
  const WorkerHooks* const hooks_self_ = this;  // what this engine's workers report as hooks

  /// Calls handed over with a completion (`Engine::invoke`) whose fiber has not finished:
  /// shutdown waits for them before joining the workers.
  std::atomic<std::uint32_t> calls_handed_over{0};
  Registry registry;
  Concurrency concurrency;
  RequestIdSource request_ids;
  /// Formats log lines for `config.log_sink` on a thread of its own; null without a sink.
  /// Stopped (drained) once the workers are joined, before the registry goes.
  std::unique_ptr<LogWriter> log_thread;

  /// Sends the invocation to `env` (null: a cold start), on `self` (the caller's worker, or
  /// null) directly when that is where it runs.
  void dispatch(Invocation& invocation, Environment* env, Worker* self);
  /// Counts a provisioned version's invocation that found no provisioned environment.
  void count_spillover(Version& version, const Environment* env) noexcept;

 private:
  static std::uint64_t next_id() noexcept {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  /// The worker `pick_worker` chose last (a hint any thread reads and writes).
  std::atomic<std::uint32_t> last_picked_{0};
  /// Nested calls deeper than this switch to the callee's own fiber instead of running on the
  /// caller's stack, so a recursive chain cannot overflow one stack.
  static constexpr std::uint32_t max_inline_depth = 8;
  /// Waits for `invocation` until `deadline` (its deadline at dispatch, moved by a cold start's
  /// init; or `parent_deadline` for a nested call), then gives up with Lambda's timeout.
  InvokeResult wait(Invocation* invocation, Clock::time_point deadline,
                    Clock::time_point parent_deadline);
  /// Answers Lambda's timeout for a call given up at its deadline, and counts it.
  InvokeResult abandon(Version& version, PerWorkerCounters* alias_counters, RequestId id);
  /// Exports the span of a call refused for want of concurrency.
  void export_refusal(const InvokeRequest& request, const Version& version,
                      const Error& error) const noexcept;
};

}  // namespace nanofaas::detail
