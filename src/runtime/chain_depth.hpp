#pragma once

#include <cstdint>

namespace boost::fibers {
class context;
}

namespace nanofaas::detail {

/// How many invocations deep the code running now is, for Lambda's recursive loop detection
/// through queues: the depth of the handler running on the calling fiber (1 for a call from
/// the host), or the depth a `ThreadChainDepth` set on this thread; 0 outside both. A queue
/// stamps it on the messages sent, and its mapping invokes one deeper. Never blocks.
std::uint32_t current_chain_depth() noexcept;

/// The calling fiber's chain depth, made on first use: kept for the fiber's life, so that a
/// fiber that runs many handlers looks it up once. Null when there is no memory for it.
std::uint32_t* fiber_chain_depth() noexcept;

/// While alive, the handler about to run on the calling fiber is `depth` invocations deep
/// (an inline nested call restores its caller's depth when it ends). On a worker's fiber.
class FiberChainDepth {
 public:
  /// `slot`: the calling fiber's `fiber_chain_depth()` (null: the depth is not tracked).
  FiberChainDepth(std::uint32_t* slot, std::uint32_t depth) noexcept
      : slot_(slot), saved_(slot != nullptr ? *slot : 0) {
    if (slot_ != nullptr) *slot_ = depth;
  }
  ~FiberChainDepth() {
    if (slot_ != nullptr) *slot_ = saved_;
  }
  FiberChainDepth(const FiberChainDepth&) = delete;
  FiberChainDepth& operator=(const FiberChainDepth&) = delete;

 private:
  std::uint32_t* slot_;  // the fiber's, or null when it could not get one (no memory)
  std::uint32_t saved_;
};

/// While alive, sends from this thread count as `depth` invocations deep: the engine's own
/// sends after a handler ended (a destination), which must not block or switch fibers.
class ThreadChainDepth {
 public:
  explicit ThreadChainDepth(std::uint32_t depth) noexcept;
  ~ThreadChainDepth();
  ThreadChainDepth(const ThreadChainDepth&) = delete;
  ThreadChainDepth& operator=(const ThreadChainDepth&) = delete;

 private:
  std::uint32_t saved_;
};

}  // namespace nanofaas::detail
