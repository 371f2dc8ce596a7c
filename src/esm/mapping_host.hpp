#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

class Worker;
struct BatchCall;
struct PollerSet;

/// What an event source mapping needs from the engine it runs in: its sync invoke path, its
/// workers, clock, log and destinations. Called per batch at most, never per record.
class MappingHost {
 public:
  virtual ~MappingHost() = default;

  /// Invokes `function` with `call`'s batch at chain `depth`. From a poller fiber, which
  /// waits until the handler returns (the records must outlive it).
  virtual InvokeResult invoke_batch(std::string_view function, std::uint32_t depth,
                                    BatchCall& call) = 0;
  /// The worker that runs a mapping's poller number `index`.
  virtual Worker& worker_for(std::uint32_t index) noexcept = 0;
  /// The engine's clock; it outlives the mapping.
  virtual const Clock& clock() const noexcept = 0;
  /// True when `clock()` is the steady clock, whose time points a fiber may sleep until.
  virtual bool clock_is_steady() const noexcept = 0;
  /// Writes a fault of `function_name`'s mapping to the engine's log (a WARN platform line),
  /// if it has a sink.
  virtual void log_fault(std::string_view function_name, std::string_view message) noexcept = 0;
  /// Hands `record` to every target of `destination` (a function invoked at chain `depth`).
  /// False when a target threw or refused it.
  virtual bool deliver(const Destination& destination, const InvocationRecord& record,
                       std::uint32_t depth) noexcept = 0;
  /// A new request id.
  virtual RequestId new_request_id() noexcept = 0;
  /// The deepest call chain the engine runs (Lambda's recursive loop detection).
  virtual std::uint32_t max_chain_depth() const noexcept = 0;
  /// Keeps `set` until the engine is destroyed: a source's listener or a queued wake-up
  /// task may still name one of its pollers after the mapping stopped.
  virtual void keep_poller_set(std::shared_ptr<PollerSet> set) = 0;
  /// Locks the engine's registry of mappings, under which their configurations are read.
  [[nodiscard]] virtual std::unique_lock<std::mutex> lock_registry() = 0;
};

}  // namespace nanofaas::detail
