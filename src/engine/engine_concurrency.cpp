#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/engine_impl.hpp"
#include "exec/environment.hpp"
#include "nanofaas/engine.hpp"
#include "runtime/worker.hpp"

// Reserved and provisioned concurrency, and the resource policy.

namespace nanofaas {

using detail::fail;

Status Engine::put_function_concurrency(std::string_view function_name, std::uint32_t reserved) {
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  return impl_->concurrency.reserve(*fn, reserved);
}

Status Engine::delete_function_concurrency(std::string_view function_name) {
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  return impl_->concurrency.reserve(*fn, std::nullopt);
}

Status Engine::put_provisioned_concurrency(std::string_view qualified_name, std::uint32_t count) {
  if (detail::Worker::current() != nullptr) {
    // It waits for the environments' init, which may need this very worker.
    return fail(Errc::invalid_argument,
                "put_provisioned_concurrency blocks: call it from a plain thread, not a handler");
  }
  if (!impl_->accepting()) return fail(Errc::unavailable, "the engine is shutting down");
  const std::size_t colon = qualified_name.find(':');
  if (colon == std::string_view::npos || qualified_name.substr(colon + 1) == "$LATEST") {
    return fail(Errc::invalid_argument,
                "provisioned concurrency needs a published version or an alias, not $LATEST");
  }
  auto target = impl_->registry.resolve(qualified_name);
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
  auto provisioned = impl_->concurrency.provision(fn, v, count);
  if (!provisioned) return Unexpected(std::move(provisioned).error());
  const std::uint32_t previous = *provisioned;
  if (count > previous) {
    detail::ProvisionLatch latch(count - previous);
    for (std::uint32_t i = previous; i < count; ++i) {
      detail::Worker& w = *impl_->workers[i % impl_->workers.size()];
      w.post(detail::Task::run(detail::Environment::spawn_job(v, nullptr, &latch)));
    }
    // A shutdown that stops the workers before they take the init jobs ends the wait; the
    // latch may go then, as no thread is left to count it down.
    return latch.wait([this] { return impl_->workers_joined.load(std::memory_order_acquire); });
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
  detail::Function* fn = impl_->registry.find(function_name);
  if (fn == nullptr) {
    return fail(Errc::not_found, "Function not found: " + std::string(function_name));
  }
  // Lambda refuses a permission for a version or alias the function does not have.
  if (!statement.qualifier.empty()) {
    auto target = impl_->registry.resolve(std::string(function_name) + ":" + statement.qualifier);
    if (!target) return Unexpected(std::move(target).error());
  }
  std::unique_lock lock(fn->mutex);
  fn->policy.push_back(std::move(statement));
  return {};
}

}  // namespace nanofaas
