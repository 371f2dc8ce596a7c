#pragma once

#include <atomic>
#include <cstdint>

namespace boost::fibers {
class context;
}

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
  /// Set while the fiber waits for records; worker thread only. Only then may a wake-up task
  /// resume it (elsewhere it may be waiting for a handler).
  boost::fibers::context* fiber = nullptr;
  bool waiting = false;
  /// A hint for the source's listener: the poller may be waiting, post a wake-up.
  std::atomic<bool> asleep{false};
};

/// The poller fiber's body (src/esm/mapping.cpp).
void run_poller(Poller& poller) noexcept;

}  // namespace nanofaas::detail
