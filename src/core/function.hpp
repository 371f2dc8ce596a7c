#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/alias_counters.hpp"
#include "exec/environment_spec.hpp"
#include "exec/invocation.hpp"
#include "nanofaas/async_queue.hpp"
#include "nanofaas/detail/handler.hpp"
#include "nanofaas/function_config.hpp"

namespace nanofaas::detail {

struct Function;
struct EngineCore;

/// One version of a function ($LATEST or a published number): an immutable snapshot of handler
/// and configuration (what its environments are made from, with their pool and the version's
/// counters), and what the engine needs to invoke it.
struct Version : EnvironmentSpec {
  Version(EngineCore& engine, Function& function, std::string name,
          std::shared_ptr<const HandlerFactory> factory, const FunctionConfig& config,
          const AsyncConfig* async_config, std::chrono::nanoseconds keep_alive,
          std::size_t max_request_bytes, std::size_t max_response_bytes, std::uint32_t workers,
          std::unique_ptr<AsyncQueue> queue);

  EngineCore* engine;
  Function* function;
  std::chrono::nanoseconds keep_alive;
  std::size_t max_request_bytes;
  /// The event invoke configuration new events of this version get (owned by the function).
  std::atomic<const AsyncConfig*> async;
  RecursiveLoop recursive_loop;
  std::unique_ptr<AsyncQueue> queue;
  /// `queue->durable()`: events are stored elsewhere, restored by `pop` and settled back.
  bool durable_queue = false;
  /// The queue's bound, which also bounds the events waiting for a retry or after a throttle:
  /// new events are refused while that many wait.
  std::size_t queue_depth = 0;
  std::atomic<std::size_t> delayed{0};       // events of this version waiting to be queued again
  std::atomic<bool> pump_posted{false};      // a pump task for this version is on its way
  std::atomic<bool> awaiting_window{false};  // listed in the dispatcher's window waiters
  std::atomic<bool> window_granted{false};   // served from that list: its pump goes first
  /// Event invocations alive (dispatched, running, or going on with the next queued event),
  /// and those a pump is about to start.
  std::atomic<std::uint32_t> async_running{0};
  /// Its last Event invocation ran within `Worker::brief_run`.
  std::atomic<bool> async_brief{false};
};

/// The version an invocation runs (every `EnvironmentSpec` the core makes is a `Version`).
inline Version& version_of(const Invocation& invocation) noexcept {
  return static_cast<Version&>(*invocation.spec);
}

/// Where an alias sends traffic. Immutable once published; replaced whole on update.
struct AliasRoute {
  std::string name;
  Version* primary = nullptr;
  Version* additional = nullptr;
  double additional_weight = 0.0;
  /// What calls through the alias count in (owned by the function).
  AliasCounters* counters = nullptr;
  /// The alias's own event invoke configuration, or null for its versions' (owned by the
  /// function; carried over when the alias is updated).
  mutable std::atomic<const AsyncConfig*> async{nullptr};
};

/// A function: its $LATEST, published versions, aliases, reservation and resource policy.
struct Function {
  std::string name;
  std::string description;
  std::unique_ptr<Version> latest;

  // Guards versions, aliases and policy (rare writes; reads on the call path are shared).
  mutable std::shared_mutex mutex;
  /// Held by PublishVersion throughout, which takes `mutex` only to read and to add.
  std::mutex publish_mutex;
  std::vector<std::unique_ptr<Version>> versions;  // versions[i] is version i+1
  std::map<std::string, const AliasRoute*, std::less<>> aliases;
  std::vector<std::unique_ptr<AliasRoute>> alias_routes;  // never freed: calls may hold one
  /// Every alias's counters, by name (never freed: calls may hold them).
  std::vector<std::unique_ptr<AliasCounters>> alias_counters;
  std::vector<PolicyStatement> policy;
  /// Every event invoke configuration set so far: never freed, queued events point at one.
  std::vector<std::unique_ptr<const AsyncConfig>> async_configs;

  /// Reservation: -1 when none, else the cap and guarantee.
  std::atomic<std::int64_t> reserved{-1};
  /// Invocations in flight across all versions (checked against the reservation).
  std::atomic<std::uint32_t> in_flight{0};
  /// Sum of provisioned concurrency over versions (changed under `mutex`). Without a
  /// reservation, these slots are the function's own, taken from the unreserved pool.
  std::atomic<std::uint32_t> provisioned_total{0};
  /// Invocations in flight on those slots (only without a reservation).
  std::atomic<std::uint32_t> provisioned_in_flight{0};
};

}  // namespace nanofaas::detail
