#include "runtime/chain_depth.hpp"

#include "nanofaas/chain_scope.hpp"
#include "nanofaas/trace_scope.hpp"
#include "runtime/worker.hpp"

#include <boost/fiber/context.hpp>
#include <boost/fiber/properties.hpp>

#include <new>
#include <utility>

namespace nanofaas::detail {
namespace {

/// The chain depth of the handler running on a fiber, kept in the fiber's properties slot
/// (the engine's scheduler uses no properties; the fiber's context deletes it).
struct FiberDepth;

thread_local std::uint32_t thread_depth = 0;              // set by ThreadChainDepth; 0: none
thread_local const TraceContext* thread_trace = nullptr;  // ThreadChainDepth, TraceScope
// True once a handler ran on this thread (a worker's): elsewhere the fiber is not looked at,
// since asking Boost for it would set up a fiber scheduler on a plain thread.
thread_local bool handlers_here = false;
// The last fiber looked up on this thread and its slot: an inline nested call finds its
// caller's slot without a cast. Cleared when that slot goes (with its fiber, on this thread).
thread_local const boost::fibers::context* last_context = nullptr;
thread_local FiberDepth* last_slot = nullptr;

struct FiberDepth final : boost::fibers::fiber_properties {
  explicit FiberDepth(boost::fibers::context* ctx) noexcept : fiber_properties(ctx) {}
  ~FiberDepth() override {
    if (last_slot == this) {
      last_context = nullptr;
      last_slot = nullptr;
    }
  }
  ChainSlot chain;
};

/// The calling fiber's slot; made on first use when `make`, else null if it has none.
FiberDepth* fiber_depth(bool make) noexcept {
  if (!make && !handlers_here) return nullptr;
  handlers_here = true;
  boost::fibers::context* ctx = boost::fibers::context::active();
  if (ctx == nullptr) return nullptr;
  // Checked against the context too: one freed elsewhere may have left its address to a new one.
  if (ctx == last_context && ctx->get_properties() == last_slot) return last_slot;
  auto* slot = dynamic_cast<FiberDepth*>(ctx->get_properties());
  if (slot == nullptr && make && ctx->get_properties() == nullptr) {
    slot = new (std::nothrow) FiberDepth(ctx);
    if (slot != nullptr) ctx->set_properties(slot);
  }
  if (slot != nullptr) {
    last_context = ctx;
    last_slot = slot;
  }
  return slot;
}

}  // namespace

std::uint32_t current_chain_depth() noexcept {
  if (thread_depth != 0) return thread_depth;
  const FiberDepth* slot = fiber_depth(false);
  return slot != nullptr ? slot->chain.depth : 0;
}

ChainSlot current_chain() noexcept {
  ChainSlot chain{thread_depth, thread_trace};
  if (chain.depth != 0) return chain;
  const FiberDepth* slot = fiber_depth(false);
  if (slot == nullptr) return chain;
  // A thread's trace (a TraceScope on it) stands when the fiber runs no handler.
  if (slot->chain.trace != nullptr || slot->chain.depth != 0) return slot->chain;
  return chain;
}

ChainSlot* fiber_chain_depth() noexcept {
  FiberDepth* slot = fiber_depth(true);
  return slot != nullptr ? &slot->chain : nullptr;
}

ThreadChainDepth::ThreadChainDepth(std::uint32_t depth, const TraceContext* trace) noexcept
    : saved_(std::exchange(thread_depth, depth)),
      saved_trace_(trace != nullptr ? std::exchange(thread_trace, trace) : thread_trace) {}

ThreadChainDepth::~ThreadChainDepth() {
  thread_depth = saved_;
  thread_trace = saved_trace_;
}

}  // namespace nanofaas::detail

namespace nanofaas {

// On a worker, the fiber's depth: a thread-wide one would cover the other fibers too.
ChainScope::ChainScope(std::uint32_t depth) noexcept
    : slot_(detail::Worker::current() == nullptr     ? &detail::thread_depth
            : detail::fiber_chain_depth() != nullptr ? &detail::fiber_chain_depth()->depth
                                                     : nullptr),
      saved_(slot_ != nullptr ? *slot_ : 0) {
  if (slot_ != nullptr) *slot_ = depth;
}

ChainScope::~ChainScope() {
  if (slot_ != nullptr) *slot_ = saved_;
}

}  // namespace nanofaas

namespace nanofaas {

// On a worker, the fiber's trace: a thread-wide one would cover the other fibers too.
TraceScope::TraceScope(const TraceContext& trace) noexcept : trace_(trace) {
  if (detail::Worker::current() == nullptr) {
    slot_ = &detail::thread_trace;
  } else if (detail::ChainSlot* chain = detail::fiber_chain_depth()) {
    slot_ = &chain->trace;
  }
  if (slot_ != nullptr) saved_ = std::exchange(*slot_, trace_.valid() ? &trace_ : nullptr);
}

TraceScope::~TraceScope() {
  if (slot_ != nullptr) *slot_ = saved_;
}

}  // namespace nanofaas
