#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "exec/invocation_counters.hpp"

namespace nanofaas::detail {

/// The counters of calls made through one alias (Lambda's `Resource` dimension `name:alias`),
/// besides those of the versions they ran. Kept by name for the function's life, so that an
/// alias updated or deleted and created again keeps counting in the same series.
struct AliasCounters {
  AliasCounters(std::string alias, const WorkerHooks* owner, std::uint32_t workers, bool metrics)
      : name(std::move(alias)), per_worker(owner, workers, metrics) {}

  const std::string name;
  /// Invocations, errors, timeouts and durations, per worker.
  PerWorkerCounters per_worker;
  std::atomic<std::uint64_t> throttles{0};
  std::atomic<std::uint64_t> async_received{0};
};

}  // namespace nanofaas::detail
