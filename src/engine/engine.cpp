#include "nanofaas/engine.hpp"

#include <atomic>
#include <mutex>
#include <shared_mutex>

#include "common/default_async_config.hpp"
#include "core/handle_access.hpp"
#include "engine/config_validation.hpp"
#include "engine/engine_impl.hpp"
#include "exec/log_writer.hpp"
#include "runtime/chain_depth.hpp"
#include "runtime/worker.hpp"

// The engine's lifecycle, registration, invocation and metrics.

namespace nanofaas {

using detail::fail;

namespace {

// The trace a call continues: the caller's explicit one, else its handler's or `TraceScope`'s.
const TraceContext* caller_trace(const InvokeOptions& options,
                                 const detail::ChainSlot& chain) noexcept {
  return options.trace != nullptr && options.trace->valid() ? options.trace : chain.trace;
}

// `Engine::invoke`: `owned` set when the caller hands the bytes over.
InvokeResult sync_call(detail::EngineCore& core, detail::Callee callee, PayloadView payload,
                       Payload* owned, const InvokeOptions& options) {
  const detail::ChainSlot chain = detail::current_chain();
  return core.invoke(detail::InvokeRequest{.callee = callee,
                                           .payload = payload,
                                           .owned = owned,
                                           .principal = options.principal,
                                           .client_context = options.client_context,
                                           .tail_log = options.tail_log,
                                           .trace = caller_trace(options, chain),
                                           .depth = chain.depth + 1});
}

// `Engine::invoke_async` without a completion.
template <class Bytes>
Expected<RequestId> async_call(detail::AsyncDispatcher& async, detail::Callee callee,
                               Bytes&& bytes) {
  const detail::ChainSlot chain = detail::current_chain();
  return async.invoke_async(callee, std::forward<Bytes>(bytes), chain.depth + 1, chain.trace);
}

void read_counters(const detail::Version& v, FunctionMetrics& m) {
  const auto& c = v.counters;
  m.function_name = v.function->name;
  m.version = v.name;
  c.per_worker.read_into(m);
  m.throttles = c.throttles.load(std::memory_order_relaxed);
  m.concurrent_executions = c.concurrent.load(std::memory_order_relaxed);
  m.provisioned_concurrent_executions = c.provisioned_concurrent.load(std::memory_order_relaxed);
  m.provisioned_concurrency = v.pool.provisioned_target.load(std::memory_order_relaxed);
  m.environments = v.pool.environments.load(std::memory_order_relaxed);
  m.idle_environments = v.pool.idle.load(std::memory_order_relaxed);
  m.provisioned_environments = v.pool.provisioned_ready.load(std::memory_order_relaxed);
  m.recursive_invocations_dropped = c.recursive_dropped.load(std::memory_order_relaxed);
  const detail::AsyncCounters* async = c.async_if_any();
  if (async == nullptr) return;  // no event yet: every asynchronous count is 0
  const detail::AsyncCounters& a = *async;
  m.async_events_received = a.async_received.load(std::memory_order_relaxed);
  m.async_events_succeeded = a.async_succeeded.load(std::memory_order_relaxed);
  // The outcomes before their reasons, which are counted first: every failed or spilled event
  // read here has its reason counted too.
  m.async_events_failed = a.async_failed.load(std::memory_order_acquire);
  m.async_events_spilled = a.async_spilled.load(std::memory_order_acquire);
  m.async_events_handed_back = a.async_handed_back.load(std::memory_order_acquire);
  const auto dropped = [&a](detail::DropReason reason) {
    return a.async_dropped[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  };
  AsyncDropReasons& by = m.async_events_dropped_by;
  by.retries_exhausted = dropped(detail::DropReason::retries_exhausted);
  by.event_age_exceeded = dropped(detail::DropReason::event_age_exceeded);
  by.throttled = dropped(detail::DropReason::throttled);
  by.recursive_loop = dropped(detail::DropReason::recursive_loop);
  by.shutdown = dropped(detail::DropReason::shutdown);
  m.async_events_dropped =
      by.retries_exhausted + by.event_age_exceeded + by.throttled + by.recursive_loop + by.shutdown;
  m.async_events_discarded = a.async_discarded.load(std::memory_order_relaxed);
  m.async_retries = a.async_retries.load(std::memory_order_relaxed);
  m.async_throttled = a.async_throttled.load(std::memory_order_relaxed);
  m.destination_delivery_failures = a.destination_failures.load(std::memory_order_relaxed);
  m.dead_letter_errors = a.dead_letter_errors.load(std::memory_order_relaxed);
  m.async_pending = a.async_pending();
}

void read_alias_counters(const detail::Function& fn, const detail::AliasCounters& c,
                         FunctionMetrics& m) {
  m.function_name = fn.name;
  m.version = c.name;
  c.per_worker.read_into(m);
  m.throttles = c.throttles.load(std::memory_order_relaxed);
  m.async_events_received = c.async_received.load(std::memory_order_relaxed);
}

}  // namespace

Expected<Engine> Engine::create(EngineConfig config) {
  if (config.workers == 0 || config.workers > 1024) {
    return fail(Errc::invalid_argument, "workers must be 1 to 1024");
  }
  if (config.concurrency_limit == 0) {
    return fail(Errc::invalid_argument, "concurrency_limit must be positive");
  }
  if (config.unreserved_concurrency_min > config.concurrency_limit) {
    return fail(Errc::invalid_argument, "unreserved_concurrency_min exceeds concurrency_limit");
  }
  if (config.stack_size < 16 * 1024 || config.stack_size > (1u << 30)) {
    return fail(Errc::invalid_argument, "stack_size must be 16 KiB to 1 GiB");
  }
  if (config.stack_reserve > 4096) {
    return fail(Errc::invalid_argument, "stack_reserve must be at most 4096");
  }
  if (config.clock == nullptr) return fail(Errc::invalid_argument, "clock must not be null");
  if (config.keep_alive.count() < 0) {
    return fail(Errc::invalid_argument, "keep_alive must not be negative");
  }
  if (config.log_buffer == 0) {
    return fail(Errc::invalid_argument, "log_buffer must be at least 1");
  }
  if (auto s = detail::validate_logging_config(config.logging); !s) {
    return Unexpected(std::move(s).error());
  }
  auto impl = std::make_unique<Impl>(std::move(config));
  impl->start();
  return Engine(std::move(impl));
}

Engine::Engine(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const EngineConfig& Engine::config() const noexcept {
  return impl_->config;
}

bool Engine::on_worker_thread() noexcept {
  return detail::Worker::current() != nullptr;
}

Status Engine::add_function_impl(FunctionConfig config,
                                 std::unique_ptr<detail::HandlerFactory> factory) {
  if (auto s = detail::validate_function_config(config, impl_->config); !s) return s;
  auto fn = std::make_unique<detail::Function>();
  fn->name = config.name;
  fn->policy = config.policy;
  const AsyncConfig* async = &detail::default_async_config();
  if (!config.async.is_default()) {
    async = fn->async_configs.emplace_back(std::make_unique<const AsyncConfig>(config.async)).get();
  }
  auto queue = impl_->make_queue(config.name, "$LATEST", config.async.max_queue_depth);
  if (!queue) return Unexpected(std::move(queue).error());
  fn->latest = std::make_unique<detail::Version>(
      *impl_, *fn, "$LATEST", std::shared_ptr<const detail::HandlerFactory>(std::move(factory)),
      config, async, impl_->config.keep_alive, impl_->config.max_request_bytes,
      impl_->config.max_response_bytes, impl_->config.workers, std::move(*queue));
  fn->latest->queue_depth = config.async.max_queue_depth;
  const auto reserved = config.reserved_concurrency;
  fn->description = std::move(config.description);
  detail::Function& raw = *fn;
  // Reserve before publishing: a function is never visible and then withdrawn (callers
  // keep what they find).
  auto added = impl_->registry.add(std::move(fn), [&]() -> Status {
    return reserved ? impl_->concurrency.reserve(raw, reserved) : Status{};
  });
  if (added) impl_->async.listen(*raw.latest);
  return added;
}

InvokeResult Engine::invoke(std::string_view qualified_name, PayloadView payload,
                            InvokeOptions options) {
  return sync_call(*impl_, qualified_name, payload, nullptr, options);
}

InvokeResult Engine::invoke(std::string_view qualified_name, Payload&& payload,
                            InvokeOptions options) {
  return sync_call(*impl_, qualified_name, payload, &payload, options);
}

InvokeResult Engine::invoke(const FunctionHandle& function, PayloadView payload,
                            InvokeOptions options) {
  return sync_call(*impl_, function, payload, nullptr, options);
}

InvokeResult Engine::invoke(const FunctionHandle& function, Payload&& payload,
                            InvokeOptions options) {
  return sync_call(*impl_, function, payload, &payload, options);
}

Expected<FunctionHandle> Engine::resolve(std::string_view qualified_name) const {
  auto target = impl_->registry.resolve(qualified_name);
  if (!target) return Unexpected(std::move(target).error());
  return detail::HandleAccess::make(impl_->id, qualified_name, *target);
}

namespace {

// A call handed over with a completion: what the fiber that makes it needs, owned.
struct HandedOverCall {
  detail::EngineCore* engine;
  std::string qualified_name;
  Payload payload;
  std::string principal;
  std::string client_context;
  bool tail_log;
  std::uint32_t depth;
  TraceContext trace;  // invalid: a new trace
  InvokeCompletion on_complete;

  void run() {
    InvokeResult result =
        engine->invoke(detail::InvokeRequest{.callee = qualified_name,
                                             .payload = payload,
                                             .owned = &payload,
                                             .principal = principal,
                                             .client_context = client_context,
                                             .tail_log = tail_log,
                                             .trace = trace.valid() ? &trace : nullptr,
                                             .depth = depth});
    on_complete(std::move(result));
  }
};

// On the worker's main fiber: the call waits on a fiber of its own, never blocking a thread.
void start_handed_over_call(detail::Worker& worker, const detail::Job& job) {
  auto* call = static_cast<HandedOverCall*>(job.a);
  detail::EngineCore* engine = call->engine;
  try {
    worker.spawn([call, engine] {
      call->run();
      delete call;
      engine->calls_handed_over.fetch_sub(1, std::memory_order_acq_rel);
    });
  } catch (...) {
    call->on_complete(fail(Errc::resource_exhausted, "no stack for a new fiber could be mapped"));
    delete call;
    engine->calls_handed_over.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace

Status Engine::invoke(std::string_view qualified_name, Payload&& payload, InvokeOptions options,
                      InvokeCompletion on_complete) {
  if (!on_complete) return fail(Errc::invalid_argument, "invoke: the completion is empty");
  // Counted before the check, so that shutdown either sees this call or refuses it.
  impl_->calls_handed_over.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with shutdown's
  if (!impl_->accepting()) {
    impl_->calls_handed_over.fetch_sub(1, std::memory_order_acq_rel);
    return fail(Errc::unavailable, "the engine is shutting down");
  }
  const detail::ChainSlot chain = detail::current_chain();
  const TraceContext* trace = caller_trace(options, chain);
  auto* call = new HandedOverCall{impl_.get(),
                                  std::string(qualified_name),
                                  std::move(payload),
                                  std::string(options.principal),
                                  std::string(options.client_context),
                                  options.tail_log,
                                  chain.depth + 1,
                                  trace != nullptr ? *trace : TraceContext{},
                                  std::move(on_complete)};
  // Start where an idle environment of the target is: the call then runs on it in place.
  detail::Worker* worker = &impl_->pick_worker();
  if (auto target = impl_->registry.resolve(call->qualified_name)) {
    worker = impl_->workers[target->version->pool.idle_worker_or(worker->index())].get();
  }
  worker->post(detail::Task::run(detail::Job{.run = &start_handed_over_call, .a = call}));
  return {};
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, Payload&& payload) {
  return async_call(impl_->async, qualified_name, std::move(payload));
}

Expected<RequestId> Engine::invoke_async(const FunctionHandle& function, Payload&& payload) {
  return async_call(impl_->async, function, std::move(payload));
}

Expected<RequestId> Engine::invoke_async(const FunctionHandle& function, PayloadView payload) {
  return async_call(impl_->async, function, payload);
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, Payload&& payload,
                                         AsyncCompletion on_complete) {
  const detail::ChainSlot chain = detail::current_chain();
  return impl_->async.invoke_async(qualified_name, std::move(payload), chain.depth + 1, chain.trace,
                                   std::move(on_complete));
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, PayloadView payload) {
  return async_call(impl_->async, qualified_name, payload);
}

void Engine::shutdown(std::chrono::nanoseconds drain) {
  impl_->shutdown(drain);
}

Status Engine::dry_run(std::string_view qualified_name, PayloadView payload,
                       InvokeOptions options) const {
  auto target = impl_->validate(qualified_name, payload.size(), options.principal);
  if (!target) return Unexpected(std::move(target).error());
  const std::int64_t reserved = target->function->reserved.load();
  if (reserved == 0) {
    return fail(Errc::too_many_requests, "Rate Exceeded.",
                ThrottleReason::reserved_function_concurrent_invocation_limit_exceeded);
  }
  return {};
}

std::size_t Engine::reclaim_idle_environments() {
  return impl_->reclaim_idle_environments();
}

MetricsSnapshot Engine::metrics() const {
  MetricsSnapshot snapshot;
  snapshot.unreserved_concurrent_executions = impl_->concurrency.unreserved_in_flight();
  snapshot.unreserved_concurrency_available = impl_->concurrency.unreserved_pool();
  if (const auto* writer = impl_->log_writer()) snapshot.log_records_dropped = writer->dropped();
  impl_->registry.for_each([&snapshot](const detail::Function& fn) {
    snapshot.concurrent_executions += fn.in_flight.load(std::memory_order_relaxed);
    std::shared_lock lock(fn.mutex);
    for (const auto& [name, route] : fn.aliases) {
      read_alias_counters(fn, *route->counters, snapshot.aliases.emplace_back());
    }
  });
  impl_->registry.for_each_version([&snapshot](const detail::Version& v) {
    read_counters(v, snapshot.functions.emplace_back());
  });
  std::lock_guard lock(impl_->mappings.mutex);
  for (const auto& [uuid, mapping] : impl_->mappings.by_uuid) {
    snapshot.mappings.push_back({uuid, mapping->config().function_name, mapping->metrics()});
  }
  return snapshot;
}

}  // namespace nanofaas
