#pragma once

#include <cstdint>

#include "nanofaas/trace_context.hpp"

namespace boost::fibers {
class context;
}

namespace nanofaas::detail {

/// Where the code running now is in a chain of invocations: how deep (0 outside any handler)
/// and the trace it continues (null: none, a call starts a new trace).
struct ChainSlot {
  std::uint32_t depth = 0;
  const TraceContext* trace = nullptr;
};

/// How many invocations deep the code running now is, for Lambda's recursive loop detection
/// through queues: the depth of the handler running on the calling fiber (1 for a call from
/// the host), or the depth a `ThreadChainDepth` set on this thread; 0 outside both. A queue
/// stamps it on the messages sent, and its mapping invokes one deeper. Never blocks.
std::uint32_t current_chain_depth() noexcept;

/// The depth as above and the trace of the handler running on the calling fiber, or the one a
/// `ThreadChainDepth` or `TraceScope` set on this thread (null: none). Never blocks.
ChainSlot current_chain() noexcept;

/// The calling fiber's chain slot, made on first use: kept for the fiber's life, so that a
/// fiber that runs many handlers looks it up once. Null when there is no memory for it.
ChainSlot* fiber_chain_depth() noexcept;

/// While alive, the handler about to run on the calling fiber is `depth` invocations deep
/// and continues `trace` (an inline nested call restores its caller's when it ends). On a
/// worker's fiber.
class FiberChainDepth {
 public:
  /// `slot`: the calling fiber's `fiber_chain_depth()` (null: the depth is not tracked).
  FiberChainDepth(ChainSlot* slot, std::uint32_t depth, const TraceContext* trace) noexcept
      : slot_(slot), saved_(slot != nullptr ? *slot : ChainSlot{}) {
    if (slot_ != nullptr) *slot_ = ChainSlot{depth, trace};
  }
  ~FiberChainDepth() {
    if (slot_ != nullptr) *slot_ = saved_;
  }
  FiberChainDepth(const FiberChainDepth&) = delete;
  FiberChainDepth& operator=(const FiberChainDepth&) = delete;

 private:
  ChainSlot* slot_;  // the fiber's, or null when it could not get one (no memory)
  ChainSlot saved_;
};

/// While alive, sends from this thread count as `depth` invocations deep and continue
/// `trace` (when not null): the engine's own sends after a handler ended (a destination),
/// which must not block or switch fibers.
class ThreadChainDepth {
 public:
  explicit ThreadChainDepth(std::uint32_t depth, const TraceContext* trace = nullptr) noexcept;
  ~ThreadChainDepth();
  ThreadChainDepth(const ThreadChainDepth&) = delete;
  ThreadChainDepth& operator=(const ThreadChainDepth&) = delete;

 private:
  std::uint32_t saved_;
  const TraceContext* saved_trace_;
};

}  // namespace nanofaas::detail
