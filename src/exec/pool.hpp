#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "runtime/spinlock.hpp"

namespace nanofaas::detail {

class Environment;

/// The idle execution environments of one version, by worker. Provisioned environments are
/// handed out first; within a kind, the caller's own worker first, most recently used first
/// (the warmest caches). Thread-safe; the lock is held for a few instructions.
class Pool {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit Pool(std::uint32_t workers) : workers_(workers) {}

  /// An idle environment of `worker` only (provisioned first), or nullptr.
  Environment* try_acquire_on(std::uint32_t worker) noexcept;
  /// An idle environment, `preferred_worker`'s first, or nullptr when none is idle.
  Environment* try_acquire(std::uint32_t preferred_worker) noexcept;
  /// A worker with an idle environment (provisioned first), or `fallback` when none is idle:
  /// where a call that can wait for its turn should start, to run on that environment without
  /// crossing threads. A hint: the environment may be taken meanwhile.
  std::uint32_t idle_worker_or(std::uint32_t fallback) noexcept;
  /// Returns an environment to the idle lists, stamped `now`. Called on its worker.
  void release(Environment* env, time_point now);
  /// Moves out idle on-demand environments last used before `cutoff`, counting them out of
  /// `environments`; the caller then posts each a retire task (the environment may still be
  /// finishing its last call on its worker, so only that worker may touch it).
  void take_expired(time_point cutoff, std::vector<Environment*>& out);
  /// Moves out up to `max` idle provisioned environments, counting them out.
  void take_provisioned(std::vector<Environment*>& out, std::size_t max);
  /// Moves out every idle environment (provisioned ones too), counting them out.
  void take_idle(std::vector<Environment*>& out);

  /// Live environments (busy or idle, being initialised included) and idle ones.
  std::atomic<std::uint32_t> environments{0};
  std::atomic<std::uint32_t> idle{0};
  /// Initialised provisioned environments, and how many are wanted.
  std::atomic<std::uint32_t> provisioned_ready{0};
  std::atomic<std::uint32_t> provisioned_target{0};

 private:
  struct WorkerIdle {
    std::vector<Environment*> provisioned;
    std::vector<Environment*> on_demand;
  };
  static Environment* pop(std::vector<Environment*>& list) noexcept;

  Spinlock lock_;
  std::uint32_t workers_;
  std::vector<WorkerIdle> idle_;  // one per worker, from the first release (empty before)
};

}  // namespace nanofaas::detail
