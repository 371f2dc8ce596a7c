#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "async/async_dispatcher.hpp"
#include "core/engine_core.hpp"
#include "engine/mapping_registry.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas {

namespace detail {

/// Counts the engines alive in the process. When the last one is gone, the events pooled for
/// the next (`EventPool`'s shared list, up to 8,192) are freed: an idle host holds none. The
/// first base of `Engine::Impl`, so that it goes after everything else of the engine.
class LiveEngines {
 public:
  LiveEngines() noexcept;
  ~LiveEngines();
  LiveEngines(const LiveEngines&) = delete;
  LiveEngines& operator=(const LiveEngines&) = delete;
};

}  // namespace detail

/// The engine behind the public `Engine` handle: the core, with the asynchronous dispatcher
/// and the event source mappings built on it. It completes the core with what needs those
/// layers: nested `Event` calls, worker 0's housekeeping, and the order of shutdown.
struct Engine::Impl final : detail::LiveEngines, detail::EngineCore {
  explicit Impl(EngineConfig engine_config) : EngineCore(std::move(engine_config)) {}
  ~Impl();

  /// Stops the mappings (after their current batch) and accepting calls, lets queued events
  /// run for up to `drain`, waits for running handlers, spills what is left, retires
  /// environments, joins workers. Idempotent.
  void shutdown(std::chrono::nanoseconds drain) noexcept;
  /// The event queue of a new version, as `EngineConfig::async_queue` makes it.
  Expected<std::unique_ptr<AsyncQueue>> make_queue(std::string_view function,
                                                   std::string_view version,
                                                   std::size_t max_queue_depth) const;

  Expected<RequestId> nested_invoke_async(detail::Callee callee, PayloadView payload,
                                          std::uint32_t depth, const TraceContext& trace) override {
    return async.invoke_async(callee, payload, depth, &trace);
  }
  /// Reclaims idle environments about once a second, and releases delayed events when due
  /// (by the engine's clock, which may be a test's: looked at every millisecond while any
  /// are delayed).
  time_point housekeeping(time_point now) override;

  detail::AsyncDispatcher async{*this};
  detail::MappingRegistry mappings;
};

}  // namespace nanofaas
