#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanofaas/async_outcome.hpp"
#include "nanofaas/detail/handler.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/event_source_mapping.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/function_config.hpp"
#include "nanofaas/function_handle.hpp"
#include "nanofaas/function_info.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/metrics.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas {

/// An alias's configuration (Lambda's `CreateAlias`): a name pointing at a version, optionally
/// sending `additional_weight` (0..1) of the traffic to `additional_version`.
struct AliasConfig {
  std::string name{};
  std::string function_version{};
  std::string additional_version{};
  double additional_weight = 0.0;
};

/// The engine: worker threads running functions' execution environments on Boost.Fiber, with
/// Lambda's invocation semantics. Every member is thread-safe. Move-only; the destructor is
/// `shutdown(EngineConfig::shutdown_drain)`: queued events drain or spill, running handlers
/// return, the workers are joined.
class NANOFAAS_API Engine {
 public:
  /// Starts the workers. Fails with `invalid_argument` for an unusable configuration.
  [[nodiscard]] static Expected<Engine> create(EngineConfig config = {});

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  /// Registers a function whose environments each hold a copy of `handler`, a callable taking
  /// `(const Event&, Context&)` or `(const Event&)` and returning a `Response`. Fails with
  /// `invalid_argument` (bad name or settings) or `already_exists`.
  template <class F>
    requires detail::HandlerCallable<std::decay_t<F>>
  [[nodiscard]] Status add_function(FunctionConfig config, F&& handler) {
    return add_function_impl(
        std::move(config),
        std::make_unique<detail::CallableFactory<std::decay_t<F>>>(std::forward<F>(handler)));
  }
  /// Registers a function whose environments each construct a `T` (from `InitContext&`, or
  /// default): the constructor is the init phase of a cold start; `T` is then called per event.
  template <class T>
    requires detail::HandlerCallable<T> &&
        (std::is_constructible_v<T, InitContext&> || std::is_default_constructible_v<T>)
            [[nodiscard]] Status add_function(FunctionConfig config) {
      return add_function_impl(std::move(config), std::make_unique<detail::TypeFactory<T>>());
    }

    /// Lambda's `RequestResponse`: runs the function and waits for its response or error. Blocks
    /// the calling thread, or only the calling fiber inside a handler. The handler reads
    /// `payload` in place: the bytes must stay valid until the handler returns, which after a
    /// timeout can be later than this call (pass a `Payload` by value to hand them over).
    /// The call continues `options.trace`, else the calling handler's or `TraceScope`'s trace,
    /// else starts one. Engine errors: `not_found`, `invalid_argument`, `request_too_large`,
    /// `too_many_requests` (with the throttle reason), `permission_denied`, `unavailable`.
    [[nodiscard]] InvokeResult invoke(std::string_view qualified_name, PayloadView payload,
                                      InvokeOptions options = {});
    /// As above, with the payload handed over to the engine (no copy): safe after a timeout.
    [[nodiscard]] InvokeResult invoke(std::string_view qualified_name, Payload&& payload,
                                      InvokeOptions options = {});
    /// As above without waiting: the call runs on a fiber of the engine's, and `on_complete`
    /// gets its result (on a worker thread: it must not block) for a caller that must not block
    /// a thread, such as an I/O loop. Returns an error (and never calls `on_complete`) only
    /// when the engine is shutting down or `on_complete` is empty; every other error comes
    /// through `on_complete`.
    [[nodiscard]] Status invoke(std::string_view qualified_name, Payload&& payload,
                                InvokeOptions options, InvokeCompletion on_complete);
    /// Lambda's `Event` invocation: queues the event (its bytes handed over, no copy) and
    /// returns its request id at once (Lambda's 202); the engine runs it later with retries and
    /// routes the outcome to destinations or the dead-letter sink. Does not block, but for a
    /// durable queue (`AsyncQueue::store`), which it waits for. The event continues the
    /// calling handler's or `TraceScope`'s trace, else starts one.
    /// Errors: `not_found`, `request_too_large` (default 1 MiB), `resource_exhausted` (queue
    /// full), `unavailable` (shutting down, or a durable queue could not store it).
    [[nodiscard]] Expected<RequestId> invoke_async(std::string_view qualified_name,
                                                   Payload&& payload);
    /// As above, copying the bytes once into an engine-owned buffer.
    [[nodiscard]] Expected<RequestId> invoke_async(std::string_view qualified_name,
                                                   PayloadView payload);
    /// As above, and `on_complete` gets the event's outcome (the response, or how it failed)
    /// once it ends, after retries and destinations: for a caller that wants the result
    /// without blocking a thread. Not called when this returns an error. A durable queue
    /// refuses it (`invalid_argument`): another process may run the event.
    [[nodiscard]] Expected<RequestId> invoke_async(std::string_view qualified_name,
                                                   Payload&& payload, AsyncCompletion on_complete);
    /// Looks `qualified_name` up once, for calls that then skip the lookup (`FunctionHandle`).
    /// Errors: `not_found`.
    [[nodiscard]] Expected<FunctionHandle> resolve(std::string_view qualified_name) const;
    /// `invoke` and `invoke_async` through a handle this engine resolved: the same calls and
    /// results, without the name lookup (`invalid_argument` for another engine's handle).
    [[nodiscard]] InvokeResult invoke(const FunctionHandle& function, PayloadView payload,
                                      InvokeOptions options = {});
    [[nodiscard]] InvokeResult invoke(const FunctionHandle& function, Payload&& payload,
                                      InvokeOptions options = {});
    [[nodiscard]] Expected<RequestId> invoke_async(const FunctionHandle& function,
                                                   Payload&& payload);
    [[nodiscard]] Expected<RequestId> invoke_async(const FunctionHandle& function,
                                                   PayloadView payload);
    /// Stops accepting calls, lets queued asynchronous events run for up to `drain`, waits for
    /// running handlers, and hands every event still queued or waiting for a retry to
    /// `EngineConfig::async_spill` (or the function's dead-letter targets). Blocks;
    /// idempotent; `metrics()` stays readable. The destructor does it with
    /// `EngineConfig::shutdown_drain`.
    void shutdown(std::chrono::nanoseconds drain);
    /// Lambda's `DryRun`: checks the name, the payload size and the caller's permission; runs
    /// nothing. Does not block.
    [[nodiscard]] Status dry_run(std::string_view qualified_name, PayloadView payload = {},
                                 InvokeOptions options = {}) const;

    /// Lambda's `PublishVersion`: snapshots $LATEST's handler and configuration into a new
    /// immutable version ("1", "2", …) with its own environments. Returns the version.
    [[nodiscard]] Expected<std::string> publish_version(std::string_view function_name);
    /// Lambda's `CreateAlias` / `UpdateAlias` / `DeleteAlias`.
    [[nodiscard]] Status create_alias(std::string_view function_name, AliasConfig alias);
    [[nodiscard]] Status update_alias(std::string_view function_name, AliasConfig alias);
    [[nodiscard]] Status delete_alias(std::string_view function_name, std::string_view alias);

    /// Lambda's `PutFunctionEventInvokeConfig`: the asynchronous settings (retries, event age,
    /// destinations, dead letters) of "name" ($LATEST), "name:version" or "name:alias"; events
    /// accepted from now on use them (an alias's apply to events invoked through it). The
    /// queue's `max_queue_depth` is fixed when the version is created and is not changed here.
    /// Errors: `not_found`, `invalid_argument` (as for `add_function`).
    [[nodiscard]] Status put_function_event_invoke_config(std::string_view qualified_name,
                                                          AsyncConfig config);
    /// Lambda's `GetFunctionEventInvokeConfig`: the settings events of that qualifier get.
    [[nodiscard]] Expected<AsyncConfig> get_function_event_invoke_config(
        std::string_view qualified_name) const;

    /// Lambda's `PutFunctionConcurrency` / `DeleteFunctionConcurrency`: sets or removes the
    /// reservation. Running invocations finish; the new cap applies to the next ones.
    /// Fails with `invalid_argument` when the unreserved pool would drop below its minimum.
    [[nodiscard]] Status put_function_concurrency(std::string_view function_name,
                                                  std::uint32_t reserved);
    [[nodiscard]] Status delete_function_concurrency(std::string_view function_name);
    /// Lambda's `PutProvisionedConcurrencyConfig` on a version or alias (not $LATEST): keeps
    /// `count` environments initialised. Blocks until they are (call it from a plain thread);
    /// fails with the init error if one fails, or `unavailable` once the engine shuts down.
    /// 0 removes the configuration.
    [[nodiscard]] Status put_provisioned_concurrency(std::string_view qualified_name,
                                                     std::uint32_t count);
    /// Lambda's `AddPermission`: adds a statement to the function's resource policy.
    [[nodiscard]] Status add_permission(std::string_view function_name, PolicyStatement statement);

    /// Lambda's `CreateEventSourceMapping`: opens a reader on `config.source` and starts
    /// polling it for `config.function_name` (when enabled). Returns the mapping's UUID. Does
    /// not block. Errors: `invalid_argument` naming the parameter (Lambda's ranges, settings
    /// that do not apply to the source's kind, bad starting position), `not_found` (function),
    /// `unavailable` (shutting down).
    [[nodiscard]] Expected<std::string> create_event_source_mapping(
        EventSourceMappingConfig config);
    /// Lambda's `GetEventSourceMapping`: the mapping's configuration. `not_found` if unknown.
    [[nodiscard]] Expected<EventSourceMappingConfig> get_event_source_mapping(
        std::string_view uuid) const;
    /// Lambda's `UpdateEventSourceMapping` (also how a mapping is disabled or enabled): the
    /// new settings apply from the next batch; the source and starting position cannot change.
    /// Blocks until batches in flight finish: call it from a plain thread (a handler gets
    /// `invalid_argument`).
    [[nodiscard]] Status update_event_source_mapping(std::string_view uuid,
                                                     EventSourceMappingConfig config);
    /// Lambda's `DeleteEventSourceMapping`: stops polling once batches in flight finish, and
    /// leaves unprocessed records in the source. Blocks, like `update_event_source_mapping`.
    [[nodiscard]] Status delete_event_source_mapping(std::string_view uuid);
    /// A mapping's counters, including `IteratorAge`. `not_found` if unknown.
    [[nodiscard]] Expected<EventSourceMappingMetrics> event_source_mapping_metrics(
        std::string_view uuid) const;

    /// Lambda's `ListFunctions`: the registered functions' names, sorted.
    [[nodiscard]] std::vector<std::string> function_names() const;
    /// Lambda's `GetFunctionConfiguration` of "name" ($LATEST), "name:version" or
    /// "name:alias" (its primary version). `not_found` if unknown.
    [[nodiscard]] Expected<FunctionInfo> get_function(std::string_view qualified_name) const;
    /// Lambda's `ListVersionsByFunction`: $LATEST, then the published versions in order.
    [[nodiscard]] Expected<std::vector<FunctionInfo>> list_versions(
        std::string_view function_name) const;
    /// Lambda's `ListAliases` (sorted by name); `GetAlias` is one of them.
    [[nodiscard]] Expected<std::vector<AliasConfig>> list_aliases(
        std::string_view function_name) const;
    /// Lambda's `ListEventSourceMappings`: the UUIDs of the mappings (of `function_name` only,
    /// when given).
    [[nodiscard]] std::vector<std::string> list_event_source_mappings(
        std::string_view function_name = {}) const;

    /// Reclaims idle on-demand environments past their keep-alive by the configured clock
    /// (workers also do it on their own, about once a second). Returns how many were reclaimed.
    std::size_t reclaim_idle_environments();
    /// A snapshot of every counter. Does not block invocations.
    [[nodiscard]] MetricsSnapshot metrics() const;
    /// The configuration the engine runs with.
    [[nodiscard]] const EngineConfig& config() const noexcept;
    /// True on a worker thread of any engine (in a handler, sink or callback it runs), where a
    /// call that blocks the thread would stall the fibers sharing it.
    [[nodiscard]] static bool on_worker_thread() noexcept;

   private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl) noexcept;
    [[nodiscard]] Status add_function_impl(FunctionConfig config,
                                           std::unique_ptr<detail::HandlerFactory> factory);

    std::unique_ptr<Impl> impl_;
};

}  // namespace nanofaas
