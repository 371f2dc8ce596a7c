#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "async/taken_events.hpp"
#include "nanofaas/detail/handler.hpp"

namespace boost::fibers {
class context;
}

namespace nanofaas::detail {

struct Version;
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

  Environment(Version& version, Worker& worker, Invocation* first, bool provisioned,
              ProvisionLatch* latch) noexcept
      : version(&version),
        worker(&worker),
        pending(first),
        provisioned(provisioned),
        latch(latch) {}

  /// The fiber's body: init, then invocations until retired or discarded; frees `this`.
  void run() noexcept;
  /// Runs `invocation` on the calling fiber (the caller's worker is this environment's, and
  /// the environment is idle and taken out of its pool). Discards the environment if the
  /// call timed out.
  void run_inline(Invocation& invocation) noexcept;
  /// The fiber could not be created: fails the first invocation (or the provisioning) with
  /// `error_type` and frees `this`. On the worker's thread.
  void fail_to_start(std::string_view error_type, std::string_view message) noexcept;
  /// Its handler suspended while it held queued events taken in bulk: they go back to the
  /// queue, with a pump, so that other environments run them. On its worker.
  void hand_back_taken() noexcept;

  Version* version;
  Worker* worker;
  boost::fibers::context* fiber = nullptr;
  std::unique_ptr<HandlerInstance> handler;
  Invocation* pending;  // set by the worker before it resumes the fiber
  bool provisioned;
  bool retire = false;   // set by the worker: leave the loop (counts already adjusted)
  bool discard = false;  // set on the worker after a failed inline call: leave the loop
  bool initialised = false;
  ProvisionLatch* latch;  // counted down after init when provisioning
  time_point last_used{};
  std::vector<std::pair<const void*, ErasedPtr>> locals;

 private:
  /// Runs init; on failure completes `pending` with the init error. True on success.
  bool initialise() noexcept;
  /// A provisioned environment beyond a lowered target leaves after its call. True if so.
  bool leave_if_surplus() noexcept;
  /// Reports a failed start to the first invocation or the provisioning latch.
  void report_start_failure(std::string_view error_type, std::string_view message) noexcept;
  /// Runs one invocation and completes it. False when the environment must be discarded.
  /// `depth_slot`: the running fiber's `fiber_chain_depth()` (null: not tracked).
  bool execute(Invocation& invocation, std::uint32_t* depth_slot) noexcept;
  /// After the last invocation: updates counts, replaces a lost provisioned environment,
  /// tells the worker, and frees `this`.
  void finish() noexcept;

  std::chrono::nanoseconds init_duration_{0};
  bool report_init_ = false;
  /// Queued events this environment ran back to back; it yields every `yield_every`.
  static constexpr std::uint32_t yield_every = 16;
  std::uint32_t drained_ = 0;
  /// Queued events taken in bulk and not run yet (put back when the drain ends).
  TakenEvents taken_;
};

}  // namespace nanofaas::detail
