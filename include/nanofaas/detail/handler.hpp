#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "nanofaas/context.hpp"
#include "nanofaas/event.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/response.hpp"

namespace nanofaas::detail {

/// One initialised handler in one execution environment.
class NANOFAAS_API HandlerInstance {
 public:
  virtual ~HandlerInstance() = default;
  virtual Response operator()(const Event& event, Context& context) = 0;
};

/// Makes handler instances: the init phase of a cold start. Shared by a function's versions.
class NANOFAAS_API HandlerFactory {
 public:
  virtual ~HandlerFactory() = default;
  /// Runs init. May throw: the engine reports `Runtime.InitError`.
  virtual std::unique_ptr<HandlerInstance> create(InitContext& init) const = 0;
};

template <class F>
concept EventContextHandler = std::is_invocable_r_v<Response, F&, const Event&, Context&>;
template <class F>
concept EventHandler = std::is_invocable_r_v<Response, F&, const Event&>;
template <class F>
concept HandlerCallable = EventContextHandler<F> || EventHandler<F>;

template <class F>
Response call_handler(F& f, const Event& event, Context& context) {
  if constexpr (EventContextHandler<F>) {
    return f(event, context);
  } else {
    return f(event);
  }
}

template <class F>
class CallableInstance final : public HandlerInstance {
 public:
  explicit CallableInstance(const F& f) : f_(f) {}
  template <class... Args>
  explicit CallableInstance(std::in_place_t, Args&&... args) : f_(std::forward<Args>(args)...) {}
  Response operator()(const Event& event, Context& context) override {
    return call_handler(f_, event, context);
  }

 private:
  F f_;
};

/// Each environment gets its own copy of the callable (environments share no state).
template <class F>
class CallableFactory final : public HandlerFactory {
 public:
  explicit CallableFactory(F f) : f_(std::move(f)) {}
  std::unique_ptr<HandlerInstance> create(InitContext&) const override {
    return std::make_unique<CallableInstance<F>>(f_);
  }

 private:
  F f_;
};

/// Each environment constructs a T: `T(InitContext&)` or `T()` is the init phase.
template <class T>
class TypeFactory final : public HandlerFactory {
 public:
  std::unique_ptr<HandlerInstance> create(InitContext& init) const override {
    if constexpr (std::is_constructible_v<T, InitContext&>) {
      return std::make_unique<CallableInstance<T>>(std::in_place, init);
    } else {
      return std::make_unique<CallableInstance<T>>(std::in_place);
    }
  }
};

}  // namespace nanofaas::detail
