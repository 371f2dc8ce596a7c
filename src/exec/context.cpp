#include "nanofaas/context.hpp"

#include <boost/fiber/operations.hpp>

#include <algorithm>

#include "exec/environment.hpp"
#include "exec/environment_spec.hpp"
#include "exec/invocation.hpp"
#include "exec/invocation_log.hpp"

namespace nanofaas {
namespace {
std::optional<std::string_view> lookup(const detail::EnvironmentSpec& v, std::string_view name) {
  auto it = v.environment.find(name);
  if (it == v.environment.end()) return std::nullopt;
  return std::string_view(it->second);
}
}  // namespace

RequestId Context::request_id() const noexcept {
  return invocation_->out.request_id;
}

std::string_view Context::function_name() const noexcept {
  return invocation_->spec->function_name;
}

std::string_view Context::function_version() const noexcept {
  return invocation_->spec->name;
}

std::string_view Context::invoked_qualifier() const noexcept {
  return invocation_->invoked_qualifier;
}

std::string_view Context::caller() const noexcept {
  return invocation_->principal;
}

std::string_view Context::client_context() const noexcept {
  return invocation_->client_context;
}

Context::time_point Context::deadline() const noexcept {
  return invocation_->deadline;
}

std::chrono::nanoseconds Context::remaining_time() const noexcept {
  return std::max(std::chrono::nanoseconds(0),
                  invocation_->deadline - std::chrono::steady_clock::now());
}

bool Context::cancelled() const noexcept {
  return invocation_->state.load(std::memory_order_relaxed) == detail::Invocation::abandoned ||
         std::chrono::steady_clock::now() >= invocation_->deadline;
}

std::optional<std::string_view> Context::env(std::string_view name) const noexcept {
  return lookup(*invocation_->spec, name);
}

std::uint32_t Context::depth() const noexcept {
  return invocation_->depth;
}

const TraceContext& Context::trace() const noexcept {
  return invocation_->trace;
}

void Context::log(std::string_view message) const {
  detail::invocation_log::function_line(*invocation_->spec, invocation_, LogLevel::info, message);
}

void Context::log(LogLevel level, std::string_view message) const {
  detail::invocation_log::function_line(*invocation_->spec, invocation_, level, message);
}

bool Context::sleep_for(std::chrono::nanoseconds duration) const {
  const auto now = std::chrono::steady_clock::now();
  const bool cut_short = duration > invocation_->deadline - now;  // no overflow for huge ones
  boost::this_fiber::sleep_until(cut_short ? invocation_->deadline : now + duration);
  return !cut_short;
}

namespace {

InvokeResult nested_call(const detail::Invocation& caller, detail::Callee callee,
                         PayloadView payload, const InvokeOptions& options) {
  return caller.spec->host->nested_invoke(
      callee, payload, options, caller.depth + 1,
      options.trace != nullptr && options.trace->valid() ? *options.trace : caller.trace,
      caller.deadline);
}

}  // namespace

InvokeResult Context::invoke(std::string_view qualified_name, PayloadView payload,
                             InvokeOptions options) const {
  return nested_call(*invocation_, qualified_name, payload, options);
}

InvokeResult Context::invoke(const FunctionHandle& function, PayloadView payload,
                             InvokeOptions options) const {
  return nested_call(*invocation_, function, payload, options);
}

Expected<RequestId> Context::invoke_async(std::string_view qualified_name,
                                          PayloadView payload) const {
  return invocation_->spec->host->nested_invoke_async(qualified_name, payload,
                                                      invocation_->depth + 1, invocation_->trace);
}

Expected<RequestId> Context::invoke_async(const FunctionHandle& function,
                                          PayloadView payload) const {
  return invocation_->spec->host->nested_invoke_async(function, payload, invocation_->depth + 1,
                                                      invocation_->trace);
}

void* Context::environment_local(const void* key, ErasedPtr (*make)()) const {
  for (auto& [k, p] : environment_->locals) {
    if (k == key) return p.get();
  }
  environment_->locals.emplace_back(key, make());
  return environment_->locals.back().second.get();
}

std::string_view InitContext::function_name() const noexcept {
  return spec_->function_name;
}

std::string_view InitContext::function_version() const noexcept {
  return spec_->name;
}

std::optional<std::string_view> InitContext::env(std::string_view name) const noexcept {
  return lookup(*spec_, name);
}

void InitContext::log(std::string_view message) const {
  detail::invocation_log::function_line(*spec_, nullptr, LogLevel::info, message);
}

void InitContext::log(LogLevel level, std::string_view message) const {
  detail::invocation_log::function_line(*spec_, nullptr, level, message);
}

}  // namespace nanofaas
