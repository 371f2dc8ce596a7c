#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

#include "engine/config_validation.hpp"
#include "engine/engine_impl.hpp"
#include "nanofaas/engine.hpp"

// Versions, aliases and event invoke configurations (Lambda's PublishVersion, *Alias and
// *FunctionEventInvokeConfig).

namespace nanofaas {

using detail::fail;

namespace {
// What a published version snapshots of $LATEST, as a configuration.
FunctionConfig settings_of(const detail::Version& latest) {
  FunctionConfig settings;
  settings.timeout = latest.timeout;
  settings.environment = {latest.environment.begin(), latest.environment.end()};
  settings.keep_alive = latest.keep_alive;
  settings.max_request_bytes = latest.max_request_bytes;
  settings.max_response_bytes = latest.max_response_bytes;
  settings.recursive_loop = latest.recursive_loop;
  settings.logging = latest.logging;
  return settings;
}
}  // namespace

Expected<std::string> Engine::publish_version(std::string_view function_name) {
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  // One publisher at a time; the function's own lock only around reading and adding, since
  // making the queue may take round trips to a server (a durable queue).
  std::lock_guard publishing(fn->publish_mutex);
  std::string name;
  const AsyncConfig* async = nullptr;
  {
    std::shared_lock lock(fn->mutex);
    name = std::to_string(fn->versions.size() + 1);
    async = fn->latest->async.load();
  }
  auto queue = impl_->make_queue(fn->name, name, async->max_queue_depth);
  if (!queue) return Unexpected(std::move(queue).error());
  auto version = std::make_unique<detail::Version>(
      *impl_, *fn, name, fn->latest->factory, settings_of(*fn->latest), async,
      impl_->config.keep_alive, impl_->config.max_request_bytes, impl_->config.max_response_bytes,
      impl_->config.workers, std::move(*queue));
  version->queue_depth = async->max_queue_depth;
  detail::Version& made = *version;
  {
    std::unique_lock lock(fn->mutex);
    fn->versions.push_back(std::move(version));
  }
  impl_->async.listen(made);
  return name;
}

namespace {
Expected<std::unique_ptr<detail::AliasRoute>> make_route(const detail::Function& fn,
                                                         const AliasConfig& alias) {
  if (auto s = detail::validate_name(alias.name); !s) return Unexpected(std::move(s).error());
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

// Alias `name`'s counters: those it had before (an update, or a deletion and a new alias of
// the same name), else new ones.
detail::AliasCounters* counters_of(detail::Function& fn, const std::string& name,
                                   detail::EngineCore& core) {
  for (const auto& c : fn.alias_counters) {
    if (c->name == name) return c.get();
  }
  return fn.alias_counters
      .emplace_back(std::make_unique<detail::AliasCounters>(name, &core.worker_hooks(),
                                                            core.config.workers, core.metrics()))
      .get();
}
}  // namespace

Status Engine::create_alias(std::string_view function_name, AliasConfig alias) {
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  if (fn->aliases.contains(alias.name)) {
    return fail(Errc::already_exists, "Alias already exists: " + alias.name);
  }
  auto route = make_route(*fn, alias);
  if (!route) return Unexpected(std::move(route).error());
  (*route)->counters = counters_of(*fn, alias.name, *impl_);
  fn->alias_routes.reserve(fn->alias_routes.size() + 1);  // the map never holds a route alone
  fn->aliases.emplace(alias.name, route->get());
  fn->alias_routes.push_back(std::move(*route));
  return {};
}

Status Engine::update_alias(std::string_view function_name, AliasConfig alias) {
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  std::unique_lock lock(fn->mutex);
  auto it = fn->aliases.find(alias.name);
  if (it == fn->aliases.end()) return fail(Errc::not_found, "Alias not found: " + alias.name);
  auto route = make_route(*fn, alias);
  if (!route) return Unexpected(std::move(route).error());
  (*route)->async.store(it->second->async.load());
  (*route)->counters = it->second->counters;
  fn->alias_routes.push_back(std::move(*route));
  it->second = fn->alias_routes.back().get();
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
  if (auto s = detail::validate_async_config(config); !s) return s;
  const auto [name, qualifier] = split_qualified(qualified_name);
  detail::Function* fn = impl_->registry.find(name);
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
  detail::Function* fn = impl_->registry.find(name);
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
  detail::Function* fn = impl_->registry.find(function_name);
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

}  // namespace nanofaas
