#pragma once

#include <cstdint>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// Carries a handler's place in a chain of calls (Lambda's recursive loop detection) into work
/// the handler starts on its own threads or fibers, which the engine cannot follow: while a
/// scope is alive, `Engine::invoke`, `Engine::invoke_async` and queue sends made on its thread
/// (on one of the engine's workers: on its fiber) count as made by that handler, so a loop
/// through them is stopped after 16 calls like one through `Context`. Destroy it on the
/// thread or fiber that made it.
///
///     std::thread([&engine, depth = ctx.depth()] {
///       nanofaas::ChainScope chain(depth);
///       (void)engine.invoke_async("next", payload);
///     });
class NANOFAAS_API ChainScope {
 public:
  /// `depth`: the handler's `Context::depth()`.
  explicit ChainScope(std::uint32_t depth) noexcept;
  ~ChainScope();
  ChainScope(const ChainScope&) = delete;
  ChainScope& operator=(const ChainScope&) = delete;

 private:
  std::uint32_t* slot_;  // the thread's or the fiber's depth; null when none could be made
  std::uint32_t saved_;
};

}  // namespace nanofaas
