#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/engine_impl.hpp"
#include "nanofaas/engine.hpp"

// What the engine reports of its functions, versions, aliases and mappings (Lambda's Get* and
// List* calls).

namespace nanofaas {

using detail::fail;

namespace {

FunctionInfo describe(const detail::Function& fn, const detail::Version& v) {
  FunctionInfo info;
  info.function_name = fn.name;
  info.version = v.name;
  info.description = fn.description;
  info.timeout = v.timeout;
  info.environment.insert(v.environment.begin(), v.environment.end());
  info.logging = v.logging;
  const std::int64_t reserved = fn.reserved.load(std::memory_order_relaxed);
  if (reserved >= 0) info.reserved_concurrency = static_cast<std::uint32_t>(reserved);
  info.provisioned_concurrency = v.pool.provisioned_target.load(std::memory_order_relaxed);
  info.provisioned_ready = v.pool.provisioned_ready.load(std::memory_order_relaxed);
  return info;
}

Unexpected<Error> function_not_found(std::string_view name) {
  return fail(Errc::not_found, "Function not found: " + std::string(name));
}

}  // namespace

std::vector<std::string> Engine::function_names() const {
  std::vector<std::string> names;
  impl_->registry.for_each([&names](const detail::Function& fn) { names.push_back(fn.name); });
  std::sort(names.begin(), names.end());
  return names;
}

Expected<FunctionInfo> Engine::get_function(std::string_view qualified_name) const {
  const std::size_t colon = qualified_name.find(':');
  const detail::Function* fn = impl_->registry.find(qualified_name.substr(0, colon));
  if (fn == nullptr) return function_not_found(qualified_name);
  if (colon == std::string_view::npos) return describe(*fn, *fn->latest);
  const std::string_view qualifier = qualified_name.substr(colon + 1);
  if (qualifier == "$LATEST") return describe(*fn, *fn->latest);
  std::shared_lock lock(fn->mutex);
  for (const auto& v : fn->versions) {
    if (v->name == qualifier) return describe(*fn, *v);
  }
  auto alias = fn->aliases.find(qualifier);
  if (alias != fn->aliases.end()) return describe(*fn, *alias->second->primary);
  return function_not_found(qualified_name);
}

Expected<std::vector<FunctionInfo>> Engine::list_versions(std::string_view function_name) const {
  const detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) return function_not_found(function_name);
  std::vector<FunctionInfo> versions{describe(*fn, *fn->latest)};
  std::shared_lock lock(fn->mutex);
  for (const auto& v : fn->versions) versions.push_back(describe(*fn, *v));
  return versions;
}

Expected<std::vector<AliasConfig>> Engine::list_aliases(std::string_view function_name) const {
  const detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) return function_not_found(function_name);
  std::vector<AliasConfig> aliases;
  std::shared_lock lock(fn->mutex);
  for (const auto& [name, route] : fn->aliases) {  // a map: sorted by name
    AliasConfig& alias = aliases.emplace_back();
    alias.name = name;
    alias.function_version = route->primary->name;
    if (route->additional != nullptr) {
      alias.additional_version = route->additional->name;
      alias.additional_weight = route->additional_weight;
    }
  }
  return aliases;
}

std::vector<std::string> Engine::list_event_source_mappings(std::string_view function_name) const {
  std::vector<std::string> uuids;
  std::lock_guard lock(impl_->mappings.mutex);
  for (const auto& [uuid, mapping] : impl_->mappings.by_uuid) {
    const std::string_view target = mapping->config().function_name;
    if (function_name.empty() || target == function_name ||
        (target.starts_with(function_name) && target[function_name.size()] == ':')) {
      uuids.push_back(uuid);
    }
  }
  return uuids;
}

}  // namespace nanofaas
