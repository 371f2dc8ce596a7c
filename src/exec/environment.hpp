#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "nanofaas/detail/handler.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/task.hpp"

namespace nanofaas::detail {

struct ChainSlot;

struct EnvironmentSpec;
struct Invocation;
class Worker;
class ProvisionLatch;

/// One execution environment: an initialised handler instance and the fiber that runs it, one
/// invocation at a time. Lives on one worker; touched only from that worker's thread, except
/// for the idle lists (`Pool`).
class Environment {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using ErasedPtr = std::unique_ptr<void, void (*)(void*)>;

  Environment(EnvironmentSpec& spec, Worker& worker, Invocation* first, bool provisioned,
              ProvisionLatch* latch) noexcept
      : spec(&spec), worker(&worker), provisioned(provisioned), latch(latch) {
    mailbox.item = first;
  }

  /// Lambda's limit for an on-demand environment's init, which does not count against the
  /// first invocation's timeout: that invocation's deadline moves by the init's duration, up
  /// to this (init time beyond it counts against the timeout).
  static constexpr std::chrono::nanoseconds init_phase_limit = std::chrono::seconds(10);

  /// Creates an environment on `worker` (its thread only) from `spec`, to run `first` after
  /// init (null: a provisioned environment, reported to `latch` when ready).
  static void spawn(Worker& worker, EnvironmentSpec& spec, Invocation* first, bool provisioned,
                    ProvisionLatch* latch);
  /// The job that runs `spawn` on the worker it is posted to.
  static Job spawn_job(EnvironmentSpec& spec, Invocation* first, ProvisionLatch* latch) noexcept;
  /// The fiber's body: init, then invocations until retired or discarded; frees `this`.
  void run() noexcept;
  /// Runs `invocation` on the calling fiber (the caller's worker is this environment's, and
  /// the environment is idle and taken out of its pool). Discards the environment if the
  /// call timed out.
  void run_inline(Invocation& invocation) noexcept;
  /// The fiber could not be created: fails the first invocation (or the provisioning) with
  /// `error_type` and frees `this`. On the worker's thread.
  void fail_to_start(std::string_view error_type, std::string_view message) noexcept;

  EnvironmentSpec* spec;
  Worker* worker;
  /// The environment's fiber; `item` is the next `Invocation`, `closed` retires it (its
  /// counts already adjusted).
  Mailbox mailbox;
  std::unique_ptr<HandlerInstance> handler;
  bool provisioned;
  bool discard = false;  // set on the worker after a failed inline call: leave the loop
  bool initialised = false;
  ProvisionLatch* latch;  // counted down after init when provisioning
  time_point last_used{};
  std::vector<std::pair<const void*, ErasedPtr>> locals;

 private:
  /// The invocation the worker handed over, taken out of the mailbox.
  Invocation* take_pending() noexcept {
    return static_cast<Invocation*>(std::exchange(mailbox.item, nullptr));
  }
  /// Runs init; on failure completes the pending invocation with the init error. True on
  /// success.
  bool initialise() noexcept;
  /// A provisioned environment beyond a lowered target leaves after its call. True if so.
  bool leave_if_surplus() noexcept;
  /// Reports a failed start to the first invocation or the provisioning latch.
  void report_start_failure(std::string_view error_type, std::string_view message) noexcept;
  /// Runs one invocation and completes it. False when the environment must be discarded.
  /// `depth_slot`: the running fiber's `fiber_chain_depth()` (null: not tracked).
  bool execute(Invocation& invocation, ChainSlot* depth_slot) noexcept;
  /// After the last invocation: updates counts, replaces a lost provisioned environment,
  /// tells the worker, and frees `this`.
  void finish() noexcept;

  std::chrono::nanoseconds init_duration_{0};
  bool report_init_ = false;
  bool quick_ = false;  // its last handler ran within Worker::brief_run
  /// Queued events this environment ran back to back; it yields every `yield_every`.
  static constexpr std::uint32_t yield_every = 16;
  std::uint32_t drained_ = 0;
};

}  // namespace nanofaas::detail
