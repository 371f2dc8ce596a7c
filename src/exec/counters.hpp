#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "exec/invocation_counters.hpp"

namespace nanofaas::detail {

/// Why an accepted event ended without a successful run (the reasons of `AsyncEventsDropped`).
enum class DropReason : std::uint8_t {
  retries_exhausted,   ///< a function error with no retry left
  event_age_exceeded,  ///< older than its `MaximumEventAgeInSeconds` before it could run
  throttled,           ///< reserved concurrency 0, or no room to queue it again
  recursive_loop,      ///< a chain of invocations deeper than 16
  shutdown,            ///< still queued or waiting for a retry when shutdown's drain ended
};
inline constexpr std::size_t drop_reason_count = 5;
static_assert(drop_reason_count == static_cast<std::size_t>(DropReason::shutdown) + 1);

/// A version's counters of asynchronous events (see `FunctionMetrics`), made when its first
/// event arrives.
struct AsyncCounters {
  // Written by the threads that queue events; apart from the workers' counters below, so
  // that producers and workers do not pass one cache line back and forth per event.
  alignas(64) std::atomic<std::uint64_t> async_received{0};
  alignas(64) std::atomic<std::uint64_t> async_succeeded{0};
  std::atomic<std::uint64_t> async_failed{0};
  /// Events that ended without a successful run, by `DropReason`.
  std::array<std::atomic<std::uint64_t>, drop_reason_count> async_dropped{};
  /// Of those, the ones with no target (no failure destination, dead letter or spill handler).
  std::atomic<std::uint64_t> async_discarded{0};
  std::atomic<std::uint64_t> async_spilled{0};
  std::atomic<std::uint64_t> async_retries{0};
  /// Events a durable queue took back: retries it runs later, maybe elsewhere, and those
  /// returned at shutdown.
  std::atomic<std::uint64_t> async_handed_back{0};
  std::atomic<std::uint64_t> async_throttled{0};
  std::atomic<std::uint64_t> destination_failures{0};
  std::atomic<std::uint64_t> dead_letter_errors{0};

  /// Accepted events not finished yet: received less the three outcomes (each counted with
  /// release after its event's receipt, so reading them first never yields a negative).
  [[nodiscard]] std::uint64_t async_pending() const noexcept {
    const std::uint64_t ended = async_succeeded.load(std::memory_order_acquire) +
                                async_failed.load(std::memory_order_acquire) +
                                async_spilled.load(std::memory_order_acquire) +
                                async_handed_back.load(std::memory_order_acquire);
    const std::uint64_t received = async_received.load(std::memory_order_acquire);
    return received > ended ? received - ended : 0;
  }
};

/// The live counters of one function version (see `FunctionMetrics`). Those of asynchronous
/// events are made with the first event: a version never invoked that way costs a pointer.
class VersionCounters {
 public:
  VersionCounters(const WorkerHooks* owner, std::uint32_t workers, bool metrics)
      : per_worker(owner, workers, metrics) {}
  ~VersionCounters();
  VersionCounters(const VersionCounters&) = delete;
  VersionCounters& operator=(const VersionCounters&) = delete;

  std::atomic<std::uint64_t> throttles{0};
  std::atomic<std::uint32_t> concurrent{0};
  std::atomic<std::uint32_t> provisioned_concurrent{0};  // of `concurrent`, on provisioned slots
  std::atomic<std::uint64_t> recursive_dropped{0};
  /// Invocations, errors, durations…, per worker.
  PerWorkerCounters per_worker;

  /// The asynchronous counters, made on first use (when memory runs out, a block shared by
  /// the versions that had none receives their counts, which are then meaningless).
  [[nodiscard]] AsyncCounters& async() noexcept {
    AsyncCounters* counters = async_.load(std::memory_order_acquire);
    return counters != nullptr ? *counters : make_async();
  }
  /// The asynchronous counters if an event made them, else null.
  [[nodiscard]] const AsyncCounters* async_if_any() const noexcept {
    return async_.load(std::memory_order_acquire);
  }

 private:
  AsyncCounters& make_async() noexcept;

  std::atomic<AsyncCounters*> async_{nullptr};
};

}  // namespace nanofaas::detail
