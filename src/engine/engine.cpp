#include "nanofaas/engine.hpp"

#include <algorithm>
#include <mutex>

#include "common/record_queue.hpp"
#include "core/engine_core.hpp"
#include "engine/engine_impl.hpp"
#include "exec/environment.hpp"
#include "nanofaas/queue.hpp"
#include "runtime/worker.hpp"

namespace nanofaas {

using detail::fail;

namespace {

constexpr std::size_t max_environment_bytes = 4096;
constexpr std::chrono::nanoseconds max_timeout = std::chrono::hours(24);

Status validate_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return fail(Errc::invalid_argument,
                "function name must be 1 to 64 characters, got " + std::to_string(name.size()));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return fail(Errc::invalid_argument, "function name '" + std::string(name) +
                                              "' may contain only A-Z, a-z, 0-9, '-' and '_'");
    }
  }
  return {};
}

Status validate_async_config(const AsyncConfig& async) {
  if (async.maximum_retry_attempts > 2) {
    return fail(Errc::invalid_argument, "async.maximum_retry_attempts must be 0 to 2");
  }
  if (async.maximum_event_age.count() <= 0 || async.maximum_event_age > max_timeout * 365) {
    return fail(Errc::invalid_argument, "async.maximum_event_age must be positive");
  }
  for (auto d : async.retry_delays) {
    if (d.count() < 0 || d > max_timeout * 365) {
      return fail(Errc::invalid_argument, "async.retry_delays must be non-negative");
    }
  }
  if (async.max_queue_depth == 0) {
    return fail(Errc::invalid_argument, "async.max_queue_depth must be positive");
  }
  for (const auto& [queue, field] :
       {std::pair{async.on_success.queue.get(), "async.on_success"},
        std::pair{async.on_failure.queue.get(), "async.on_failure"},
        std::pair{async.dead_letter_queue.get(), "async.dead_letter_queue"}}) {
    if (auto s = detail::validate_record_queue(queue, field); !s) return s;
  }
  return {};
}

Status validate_function_config(const FunctionConfig& config, const EngineConfig& engine) {
  if (auto s = validate_name(config.name); !s) return s;
  if (config.timeout.count() <= 0 || config.timeout > max_timeout) {
    return fail(Errc::invalid_argument, "timeout must be positive and at most 24 hours");
  }
  if (auto s = validate_async_config(config.async); !s) return s;
  if (config.keep_alive && config.keep_alive->count() < 0) {
    return fail(Errc::invalid_argument, "keep_alive must not be negative");
  }
  std::size_t env_bytes = 0;
  for (const auto& [key, value] : config.environment) {
    if (key.empty()) return fail(Errc::invalid_argument, "environment variable with empty name");
    env_bytes += key.size() + value.size();
  }
  if (env_bytes > max_environment_bytes) {
    return fail(Errc::invalid_argument,
                "environment variables exceed 4 KB (" + std::to_string(env_bytes) + " bytes)");
  }
  if (config.reserved_concurrency &&
      *config.reserved_concurrency >
          engine.concurrency_limit -
              std::min(engine.concurrency_limit, engine.unreserved_concurrency_min)) {
    return fail(Errc::invalid_argument, "reserved concurrency " +
                                            std::to_string(*config.reserved_concurrency) +
                                            " exceeds what the engine can reserve");
  }
  for (const auto& statement : config.policy) {
    if (statement.principal.empty()) {
      return fail(Errc::invalid_argument, "policy statement with an empty principal");
    }
  }
  return {};
}

/// Applies a reservation change: `total_reserved` must leave the unreserved minimum.
/// Applies a reservation change; the caller holds `registry_mutex` exclusively.
Status change_reservation_locked(detail::EngineCore& core, detail::Function& fn,
                                 std::optional<std::uint32_t> reserved) {
  const std::int64_t old = fn.reserved.load();
  const std::uint64_t old_amount = old < 0 ? 0 : static_cast<std::uint64_t>(old);
  const std::uint64_t new_amount = reserved.value_or(0);
  const std::uint64_t total = core.total_reserved.load() - old_amount + new_amount;
  const std::uint64_t limit = core.config.concurrency_limit;
  if (total + core.config.unreserved_concurrency_min > limit) {
    return fail(Errc::invalid_argument,
                "Specified ReservedConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of [" +
                    std::to_string(core.config.unreserved_concurrency_min) + "]");
  }
  if (reserved && fn.provisioned_total > *reserved) {
    return fail(Errc::invalid_argument,
                "reserved concurrency below the function's provisioned concurrency (" +
                    std::to_string(fn.provisioned_total) + ")");
  }
  core.total_reserved.store(static_cast<std::uint32_t>(total));
  fn.reserved.store(reserved ? static_cast<std::int64_t>(*reserved) : -1);
  return {};
}

Status change_reservation(detail::EngineCore& core, detail::Function& fn,
                          std::optional<std::uint32_t> reserved) {
  std::unique_lock lock(core.registry_mutex);  // serialises reservation changes
  return change_reservation_locked(core, fn, reserved);
}

void read_counters(const detail::Version& v, FunctionMetrics& m) {
  const auto& c = v.counters;
  m.function_name = v.function->name;
  m.version = v.name;
  m.invocations = c.invocations.load(std::memory_order_relaxed);
  m.errors = c.errors.load(std::memory_order_relaxed);
  m.throttles = c.throttles.load(std::memory_order_relaxed);
  m.timeouts = c.timeouts.load(std::memory_order_relaxed);
  m.cold_starts = c.cold_starts.load(std::memory_order_relaxed);
  m.init_errors = c.init_errors.load(std::memory_order_relaxed);
  m.provisioned_spillover_invocations = c.spillover.load(std::memory_order_relaxed);
  m.concurrent_executions = c.concurrent.load(std::memory_order_relaxed);
  m.environments = v.pool.environments.load(std::memory_order_relaxed);
  m.idle_environments = v.pool.idle.load(std::memory_order_relaxed);
  m.provisioned_environments = v.pool.provisioned_ready.load(std::memory_order_relaxed);
  m.async_events_received = c.async_received.load(std::memory_order_relaxed);
  m.async_events_succeeded = c.async_succeeded.load(std::memory_order_relaxed);
  // The outcomes before their reasons, which are counted first: every failed or spilled event
  // read here has its reason counted too.
  m.async_events_failed = c.async_failed.load(std::memory_order_acquire);
  m.async_events_spilled = c.async_spilled.load(std::memory_order_acquire);
  const auto dropped = [&c](detail::DropReason reason) {
    return c.async_dropped[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  };
  AsyncDropReasons& by = m.async_events_dropped_by;
  by.retries_exhausted = dropped(detail::DropReason::retries_exhausted);
  by.event_age_exceeded = dropped(detail::DropReason::event_age_exceeded);
  by.throttled = dropped(detail::DropReason::throttled);
  by.recursive_loop = dropped(detail::DropReason::recursive_loop);
  by.shutdown = dropped(detail::DropReason::shutdown);
  m.async_events_dropped =
      by.retries_exhausted + by.event_age_exceeded + by.throttled + by.recursive_loop + by.shutdown;
  m.async_events_discarded = c.async_discarded.load(std::memory_order_relaxed);
  m.async_retries = c.async_retries.load(std::memory_order_relaxed);
  m.async_throttled = c.async_throttled.load(std::memory_order_relaxed);
  m.destination_delivery_failures = c.destination_failures.load(std::memory_order_relaxed);
  m.dead_letter_errors = c.dead_letter_errors.load(std::memory_order_relaxed);
  m.async_pending = c.async_pending();
  m.recursive_invocations_dropped = c.recursive_dropped.load(std::memory_order_relaxed);
  c.async_event_age.read_into(m.async_event_age);
  c.duration.read_into(m.duration);
  c.init_duration.read_into(m.init_duration);
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
  if (auto s = validate_function_config(config, impl_->config); !s) return s;
  auto fn = std::make_unique<detail::Function>();
  fn->name = config.name;
  fn->policy = config.policy;
  fn->async_configs.push_back(std::make_unique<const AsyncConfig>(config.async));
  auto queue = impl_->make_queue(config.name, "$LATEST", config.async.max_queue_depth);
  if (!queue) return Unexpected(std::move(queue).error());
  fn->latest = std::make_unique<detail::Version>(
      *impl_, *fn, "$LATEST", std::shared_ptr<const detail::HandlerFactory>(std::move(factory)),
      config, fn->async_configs.back().get(), impl_->config.keep_alive,
      impl_->config.max_request_bytes, impl_->config.max_response_bytes, impl_->config.workers,
      std::move(*queue));
  const auto reserved = config.reserved_concurrency;
  fn->config = std::move(config);
  detail::Function* raw = fn.get();
  // Reserve before publishing: a function is never visible and then withdrawn (callers
  // cache what they find).
  std::unique_lock lock(impl_->registry_mutex);
  if (impl_->functions.contains(raw->name)) {
    return fail(Errc::already_exists, "Function already exist: " + raw->name);
  }
  if (reserved) {
    if (auto s = change_reservation_locked(*impl_, *raw, reserved); !s) return s;
  }
  const auto it = impl_->functions.emplace(raw->name, std::move(fn)).first;
  try {
    impl_->function_index.insert(raw);
  } catch (...) {
    impl_->functions.erase(it);  // not findable by name: not registered
    throw;
  }
  return {};
}

InvokeResult Engine::invoke(std::string_view qualified_name, PayloadView payload,
                            InvokeOptions options) {
  return impl_->invoke(qualified_name, payload, nullptr, options, 1);
}

InvokeResult Engine::invoke(std::string_view qualified_name, Payload&& payload,
                            InvokeOptions options) {
  return impl_->invoke(qualified_name, payload, &payload, options, 1);
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, Payload&& payload) {
  return impl_->async.invoke_async(qualified_name, std::move(payload), 1);
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, Payload&& payload,
                                         AsyncCompletion on_complete) {
  return impl_->async.invoke_async(qualified_name, std::move(payload), 1, std::move(on_complete));
}

Expected<RequestId> Engine::invoke_async(std::string_view qualified_name, PayloadView payload) {
  return impl_->async.invoke_async(qualified_name, payload, 1);
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

Expected<std::string> Engine::publish_version(std::string_view function_name) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  std::string name = std::to_string(fn->versions.size() + 1);
  const AsyncConfig* async = fn->latest->async.load();
  auto queue = impl_->make_queue(fn->name, name, async->max_queue_depth);
  if (!queue) return Unexpected(std::move(queue).error());
  fn->versions.push_back(std::make_unique<detail::Version>(
      *impl_, *fn, name, fn->latest->factory, fn->config, async, impl_->config.keep_alive,
      impl_->config.max_request_bytes, impl_->config.max_response_bytes, impl_->config.workers,
      std::move(*queue)));
  return name;
}

namespace {
Expected<std::unique_ptr<detail::AliasRoute>> make_route(const detail::Function& fn,
                                                         const AliasConfig& alias) {
  if (auto s = validate_name(alias.name); !s) return Unexpected(std::move(s).error());
  if (std::all_of(alias.name.begin(), alias.name.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    return fail(Errc::invalid_argument, "alias name '" + alias.name + "' must not be a number");
  }
  auto version_of = [&](const std::string& v) -> detail::Version* {
    for (const auto& p : fn.versions) {
      if (p->name == v) return p.get();
    }
    return nullptr;
  };
  auto route = std::make_unique<detail::AliasRoute>();
  route->name = alias.name;
  route->primary = version_of(alias.function_version);
  if (route->primary == nullptr) {
    return fail(Errc::not_found, "alias '" + alias.name + "': no published version '" +
                                     alias.function_version + "'");
  }
  if (!alias.additional_version.empty()) {
    route->additional = version_of(alias.additional_version);
    if (route->additional == nullptr || route->additional == route->primary) {
      return fail(Errc::invalid_argument, "alias '" + alias.name +
                                              "': additional version must be another published "
                                              "version");
    }
    if (!(alias.additional_weight >= 0.0 && alias.additional_weight <= 1.0)) {
      return fail(Errc::invalid_argument,
                  "alias '" + alias.name + "': additional_weight must be within 0.0 to 1.0");
    }
    route->additional_weight = alias.additional_weight;
  }
  return route;
}
}  // namespace

Status Engine::create_alias(std::string_view function_name, AliasConfig alias) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  if (fn->aliases.contains(alias.name)) {
    return fail(Errc::already_exists, "Alias already exists: " + alias.name);
  }
  auto route = make_route(*fn, alias);
  if (!route) return Unexpected(std::move(route).error());
  fn->aliases.emplace(alias.name, route->get());
  fn->alias_routes.push_back(std::move(*route));
  return {};
}

Status Engine::update_alias(std::string_view function_name, AliasConfig alias) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  auto it = fn->aliases.find(alias.name);
  if (it == fn->aliases.end()) return fail(Errc::not_found, "Alias not found: " + alias.name);
  auto route = make_route(*fn, alias);
  if (!route) return Unexpected(std::move(route).error());
  (*route)->async.store(it->second->async.load());
  it->second = route->get();
  fn->alias_routes.push_back(std::move(*route));
  return {};
}

namespace {
/// Where "name[:qualifier]"'s event invoke configuration lives: an alias's slot, or a version's.
Expected<std::atomic<const AsyncConfig*>*> event_config_slot(detail::Function& fn,
                                                             std::string_view qualifier) {
  if (qualifier.empty() || qualifier == "$LATEST") return &fn.latest->async;
  for (auto& v : fn.versions) {
    if (v->name == qualifier) return &v->async;
  }
  auto alias = fn.aliases.find(qualifier);
  if (alias == fn.aliases.end()) {
    return fail(Errc::not_found,
                "no version or alias '" + std::string(qualifier) + "' of " + fn.name);
  }
  // Routes are immutable except for this slot, which update_alias carries over.
  return &alias->second->async;
}

std::pair<std::string_view, std::string_view> split_qualified(std::string_view qualified_name) {
  const auto colon = qualified_name.find(':');
  if (colon == std::string_view::npos) return {qualified_name, {}};
  return {qualified_name.substr(0, colon), qualified_name.substr(colon + 1)};
}
}  // namespace

Status Engine::put_function_event_invoke_config(std::string_view qualified_name,
                                                AsyncConfig config) {
  if (auto s = validate_async_config(config); !s) return s;
  const auto [name, qualifier] = split_qualified(qualified_name);
  detail::Function* fn = impl_->find_function(name);
  if (fn == nullptr) return fail(Errc::not_found, "Function not found: " + std::string(name));
  std::unique_lock lock(fn->mutex);
  auto slot = event_config_slot(*fn, qualifier);
  if (!slot) return Unexpected(std::move(slot).error());
  fn->async_configs.push_back(std::make_unique<const AsyncConfig>(std::move(config)));
  (*slot)->store(fn->async_configs.back().get(), std::memory_order_release);
  return {};
}

Expected<AsyncConfig> Engine::get_function_event_invoke_config(
    std::string_view qualified_name) const {
  const auto [name, qualifier] = split_qualified(qualified_name);
  detail::Function* fn = impl_->find_function(name);
  if (fn == nullptr) return fail(Errc::not_found, "Function not found: " + std::string(name));
  std::shared_lock lock(fn->mutex);
  auto slot = event_config_slot(*fn, qualifier);
  if (!slot) return Unexpected(std::move(slot).error());
  const AsyncConfig* config = (*slot)->load(std::memory_order_acquire);
  if (config == nullptr) {
    // An alias without its own: its main version's.
    config = fn->aliases.find(qualifier)->second->primary->async.load(std::memory_order_acquire);
  }
  return *config;
}

Status Engine::delete_alias(std::string_view function_name, std::string_view alias) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  auto it = fn->aliases.find(alias);
  if (it == fn->aliases.end()) {
    return fail(Errc::not_found, "Alias not found: " + std::string(alias));
  }
  fn->aliases.erase(it);
  return {};
}

Status Engine::put_function_concurrency(std::string_view function_name, std::uint32_t reserved) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  return change_reservation(*impl_, *fn, reserved);
}

Status Engine::delete_function_concurrency(std::string_view function_name) {
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  return change_reservation(*impl_, *fn, std::nullopt);
}

Status Engine::put_provisioned_concurrency(std::string_view qualified_name, std::uint32_t count) {
  if (detail::Worker::current() != nullptr) {
    // It waits for the environments' init, which may need this very worker.
    return fail(Errc::invalid_argument,
                "put_provisioned_concurrency blocks: call it from a plain thread, not a handler");
  }
  const std::size_t colon = qualified_name.find(':');
  if (colon == std::string_view::npos || qualified_name.substr(colon + 1) == "$LATEST") {
    return fail(Errc::invalid_argument,
                "provisioned concurrency needs a published version or an alias, not $LATEST");
  }
  auto target = impl_->resolve(qualified_name);
  if (!target) return Unexpected(std::move(target).error());
  detail::Function& fn = *target->function;
  detail::Version* resolved = target->version;
  {
    // An alias provisions the version it points at (its main route), never a weighted pick.
    std::shared_lock lock(fn.mutex);
    auto alias = fn.aliases.find(target->qualifier);
    if (alias != fn.aliases.end()) resolved = alias->second->primary;
  }
  detail::Version& v = *resolved;
  std::uint32_t previous = 0;
  {
    std::unique_lock registry(impl_->registry_mutex);
    std::unique_lock lock(fn.mutex);
    previous = v.pool.provisioned_target.load();
    const std::uint64_t total = fn.provisioned_total - previous + count;
    const std::int64_t reserved = fn.reserved.load();
    const std::uint64_t cap = reserved >= 0
                                  ? static_cast<std::uint64_t>(reserved)
                                  : impl_->config.concurrency_limit - impl_->total_reserved.load() -
                                        impl_->config.unreserved_concurrency_min;
    if (total > cap) {
      return fail(Errc::invalid_argument, "provisioned concurrency " + std::to_string(total) +
                                              " exceeds the function's available concurrency " +
                                              std::to_string(cap));
    }
    fn.provisioned_total = static_cast<std::uint32_t>(total);
    v.pool.provisioned_target.store(count);
  }
  if (count > previous) {
    detail::ProvisionLatch latch(count - previous);
    for (std::uint32_t i = previous; i < count; ++i) {
      detail::Worker& w = *impl_->workers[i % impl_->workers.size()];
      w.post(detail::Task::run(detail::Environment::spawn_job(v, nullptr, &latch)));
    }
    return latch.wait();
  }
  // Fewer wanted: retire idle provisioned environments beyond the count; busy ones leave
  // when their call ends (Environment::leave_if_surplus).
  const std::uint32_t ready = v.pool.provisioned_ready.load();
  std::vector<detail::Environment*> surplus;
  if (ready > count) v.pool.take_provisioned(surplus, ready - count);
  impl_->retire(surplus);
  return {};
}

Status Engine::add_permission(std::string_view function_name, PolicyStatement statement) {
  if (statement.principal.empty()) {
    return fail(Errc::invalid_argument, "policy statement with an empty principal");
  }
  detail::Function* fn = impl_->find_function(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  fn->policy.push_back(std::move(statement));
  return {};
}

std::size_t Engine::reclaim_idle_environments() {
  return impl_->reclaim_idle_environments();
}

MetricsSnapshot Engine::metrics() const {
  MetricsSnapshot snapshot;
  snapshot.unreserved_concurrent_executions = impl_->unreserved_in_flight.load();
  snapshot.unreserved_concurrency_available =
      impl_->config.concurrency_limit - impl_->total_reserved.load();
  std::shared_lock lock(impl_->registry_mutex);
  for (const auto& [name, fn] : impl_->functions) {
    snapshot.concurrent_executions += fn->in_flight.load(std::memory_order_relaxed);
    std::shared_lock fn_lock(fn->mutex);
    read_counters(*fn->latest, snapshot.functions.emplace_back());
    for (const auto& v : fn->versions) read_counters(*v, snapshot.functions.emplace_back());
  }
  return snapshot;
}

}  // namespace nanofaas
