#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "esm/poller.hpp"

namespace nanofaas::detail {

/// The poller fibers of one run of a mapping (between a start and a stop). Kept until the
/// engine is destroyed, because a source's listener or a queued wake-up task may still name
/// a poller after the mapping stopped.
struct PollerSet {
  std::vector<std::unique_ptr<Poller>> pollers;
  /// Pollers whose `asleep` hint is set: the listener posts nothing while it is 0.
  std::atomic<std::uint32_t> sleepers{0};
  /// Cleared when the run stops: the listener then does nothing.
  std::atomic<bool> open{true};
  /// Listener calls past their first check; `stop` waits for none before the engine may go.
  std::atomic<std::uint32_t> listener_calls{0};
};

}  // namespace nanofaas::detail
