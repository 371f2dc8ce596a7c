#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/mailbox.hpp"
#include "runtime/task.hpp"

namespace nanofaas::detail {

class Mapping;
class Worker;

/// One poller fiber of an event source mapping: one of a queue's concurrent batches, or one
/// of a stream's shards. Owned by its mapping's `PollerSet`, which outlives every task that
/// names it.
struct Poller {
  Mapping* mapping = nullptr;
  Worker* worker = nullptr;
  std::uint32_t lane = 0;
  /// The poller's fiber; `waiting` while it waits for records (only then may a wake-up task
  /// resume it: elsewhere it may be waiting for a handler). Worker thread only.
  Mailbox mailbox;
  /// A hint for the source's listener: the poller may be waiting, post a wake-up.
  std::atomic<bool> asleep{false};
};

/// The poller fiber's body (src/esm/mapping.cpp).
void run_poller(Poller& poller) noexcept;

/// The job that starts `poller`'s fiber on the worker it is posted to.
Job start_poller_job(Poller& poller) noexcept;

}  // namespace nanofaas::detail
