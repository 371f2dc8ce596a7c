#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "nanofaas/export.hpp"
#include "nanofaas/function_handle.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/logging_config.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

namespace detail {
struct Invocation;
class Environment;
struct EnvironmentSpec;
/// A distinct address per type, used as a key for environment-local storage.
template <class T>
const void* type_key() noexcept {
  static const char key = 0;
  return &key;
}
}  // namespace detail

/// What a handler knows about its invocation (Lambda's context object), plus fiber-aware
/// waits. Valid only during the handler call, on the handler's fiber; not thread-safe.
class NANOFAAS_API Context {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// This invocation's id.
  [[nodiscard]] RequestId request_id() const noexcept;
  /// The function's name and the version running ("$LATEST" or a number).
  [[nodiscard]] std::string_view function_name() const noexcept;
  [[nodiscard]] std::string_view function_version() const noexcept;
  /// The qualifier the caller used: an alias ("live"), a version ("3"), "$LATEST", or empty
  /// for an unqualified call.
  [[nodiscard]] std::string_view invoked_qualifier() const noexcept;
  /// The calling principal (empty for the host) and Lambda's client context.
  [[nodiscard]] std::string_view caller() const noexcept;
  [[nodiscard]] std::string_view client_context() const noexcept;
  /// When the caller stops waiting, and the time left until then (never negative).
  [[nodiscard]] time_point deadline() const noexcept;
  [[nodiscard]] std::chrono::nanoseconds remaining_time() const noexcept;
  /// True once the deadline has passed or the caller gave up; long handlers should check it.
  [[nodiscard]] bool cancelled() const noexcept;
  /// An environment variable of the function, if set.
  [[nodiscard]] std::optional<std::string_view> env(std::string_view name) const noexcept;
  /// How many invocations deep this call is (1 for a call from the host).
  [[nodiscard]] std::uint32_t depth() const noexcept;
  /// This invocation's trace, with its own span as `span_id` (Lambda's `_X_AMZN_TRACE_ID`):
  /// what its nested calls, events and queue sends carry. Pass it on to work of its own
  /// threads with `TraceScope`.
  [[nodiscard]] const TraceContext& trace() const noexcept;

  /// Writes a line to the function's log at INFO, tagged with function, version and request
  /// id (and to the caller's tail, if it asked for one). Never blocks.
  void log(std::string_view message) const;
  /// As above at `level`; in JSON format a line below `ApplicationLogLevel` is dropped before
  /// anything is copied.
  void log(LogLevel level, std::string_view message) const;
  /// Sleeps this fiber only (the worker thread runs others) until `duration` passes or the
  /// deadline comes. Returns false when the deadline cut the sleep short.
  bool sleep_for(std::chrono::nanoseconds duration) const;
  /// Synchronously invokes another function; suspends this fiber only. Same results as
  /// `Engine::invoke`. The call continues this invocation's trace unless `options.trace` is set.
  [[nodiscard]] InvokeResult invoke(std::string_view qualified_name, PayloadView payload,
                                    InvokeOptions options = {}) const;

  /// Queues an asynchronous invocation of another function (see `Engine::invoke_async`); the
  /// event continues this invocation's trace.
  [[nodiscard]] Expected<RequestId> invoke_async(std::string_view qualified_name,
                                                 PayloadView payload) const;
  /// The same two calls through a handle the engine resolved (`Engine::resolve`).
  [[nodiscard]] InvokeResult invoke(const FunctionHandle& function, PayloadView payload,
                                    InvokeOptions options = {}) const;
  [[nodiscard]] Expected<RequestId> invoke_async(const FunctionHandle& function,
                                                 PayloadView payload) const;

  /// An object of type T kept in this execution environment across invocations (created with
  /// T() on first use, destroyed with the environment): Lambda's "global scope" for callables.
  template <class T>
  T& local() const {
    void* p = environment_local(detail::type_key<T>(), [] { return make_erased<T>(); });
    return *static_cast<T*>(p);
  }

 private:
  using ErasedPtr = std::unique_ptr<void, void (*)(void*)>;
  template <class T>
  static ErasedPtr make_erased() {
    return ErasedPtr(new T(), [](void* p) { delete static_cast<T*>(p); });
  }
  void* environment_local(const void* key, ErasedPtr (*make)()) const;

  // Made only by the environment that runs the handler.
  friend class detail::Environment;
  Context(detail::Invocation& invocation, detail::Environment& environment) noexcept
      : invocation_(&invocation), environment_(&environment) {}

  detail::Invocation* invocation_;
  detail::Environment* environment_;
};

/// What a handler type's constructor (the init phase, a cold start) receives.
/// Valid only during the constructor; not thread-safe.
class NANOFAAS_API InitContext {
 public:
  /// The function's name and the version being initialised.
  [[nodiscard]] std::string_view function_name() const noexcept;
  [[nodiscard]] std::string_view function_version() const noexcept;
  /// An environment variable of the function, if set.
  [[nodiscard]] std::optional<std::string_view> env(std::string_view name) const noexcept;
  /// Writes a line to the function's log, at INFO or at `level` (no request id yet).
  void log(std::string_view message) const;
  void log(LogLevel level, std::string_view message) const;

 private:
  // Made only by the environment whose init phase runs.
  friend class detail::Environment;
  explicit InitContext(const detail::EnvironmentSpec& spec) noexcept : spec_(&spec) {}

  const detail::EnvironmentSpec* spec_;
};

}  // namespace nanofaas
