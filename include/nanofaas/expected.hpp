#pragma once

#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

#include "nanofaas/error.hpp"

namespace nanofaas {

/// The error alternative of an `Expected`, as `std::unexpected`.
template <class E>
class Unexpected {
 public:
  /// Wraps `error`.
  constexpr explicit Unexpected(E error) : error_(std::move(error)) {}
  /// The wrapped error.
  constexpr const E& error() const& noexcept { return error_; }
  constexpr E& error() & noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};

template <class E>
Unexpected(E) -> Unexpected<E>;

/// A value or an error, with `std::expected`'s names (C++23), for C++20.
/// `value()` on an error is a programming error (asserts), never a throw.
template <class T, class E = Error>
class [[nodiscard]] Expected {
 public:
  using value_type = T;
  using error_type = E;

  /// A default-constructed value.
  constexpr Expected() requires std::is_default_constructible_v<T>
      : storage_(std::in_place_index<0>) {}
  /// A value.
  template <class U = T>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Expected> &&
             !std::is_same_v<std::remove_cvref_t<U>, Unexpected<E>>)
  constexpr Expected(U&& value)  // NOLINT(google-explicit-constructor)
      : storage_(std::in_place_index<0>, std::forward<U>(value)) {}
  /// An error.
  template <class G>
    requires std::is_constructible_v<E, const G&>
  constexpr Expected(const Unexpected<G>& error)  // NOLINT(google-explicit-constructor)
      : storage_(std::in_place_index<1>, error.error()) {}
  template <class G>
    requires std::is_constructible_v<E, G&&>
  constexpr Expected(Unexpected<G>&& error)  // NOLINT(google-explicit-constructor)
      : storage_(std::in_place_index<1>, std::move(error).error()) {}

  /// True when this holds a value.
  constexpr bool has_value() const noexcept { return storage_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  /// The value; asserts that there is one.
  constexpr T& value() & { return check_value(), *std::get_if<0>(&storage_); }
  constexpr const T& value() const& { return check_value(), *std::get_if<0>(&storage_); }
  constexpr T&& value() && { return check_value(), std::move(*std::get_if<0>(&storage_)); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T&& operator*() && { return std::move(*this).value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  /// The value, or `fallback` when this holds an error.
  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error; asserts that there is one.
  constexpr const E& error() const& { return check_error(), *std::get_if<1>(&storage_); }
  constexpr E& error() & { return check_error(), *std::get_if<1>(&storage_); }
  constexpr E&& error() && { return check_error(), std::move(*std::get_if<1>(&storage_)); }

  /// `f(value)` (which returns an Expected) or this error.
  template <class F>
  constexpr auto and_then(F&& f) & {
    return and_then_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto and_then(F&& f) const& {
    return and_then_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto and_then(F&& f) && {
    return and_then_impl(std::move(*this), std::forward<F>(f));
  }
  /// `Expected{f(value)}` or this error.
  template <class F>
  constexpr auto transform(F&& f) const& {
    return transform_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto transform(F&& f) && {
    return transform_impl(std::move(*this), std::forward<F>(f));
  }
  /// This value, or `f(error)` (which returns an Expected).
  template <class F>
  constexpr Expected or_else(F&& f) const& {
    return has_value() ? *this : std::invoke(std::forward<F>(f), error());
  }
  /// This value, or `Unexpected{f(error)}`.
  template <class F>
  constexpr auto transform_error(F&& f) const& {
    using G = std::remove_cvref_t<std::invoke_result_t<F, const E&>>;
    if (has_value()) return Expected<T, G>(value());
    return Expected<T, G>(Unexpected<G>(std::invoke(std::forward<F>(f), error())));
  }

 private:
  constexpr void check_value() const { NANOFAAS_ASSERT(has_value()); }
  constexpr void check_error() const { NANOFAAS_ASSERT(!has_value()); }

  template <class Self, class F>
  static constexpr auto and_then_impl(Self&& self, F&& f) {
    using R =
        std::remove_cvref_t<std::invoke_result_t<F, decltype(std::forward<Self>(self).value())>>;
    if (self.has_value()) return std::invoke(std::forward<F>(f), std::forward<Self>(self).value());
    return R(Unexpected<E>(std::forward<Self>(self).error()));
  }
  template <class Self, class F>
  static constexpr auto transform_impl(Self&& self, F&& f) {
    using U =
        std::remove_cvref_t<std::invoke_result_t<F, decltype(std::forward<Self>(self).value())>>;
    if (!self.has_value()) return Expected<U, E>(Unexpected<E>(std::forward<Self>(self).error()));
    if constexpr (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f), std::forward<Self>(self).value());
      return Expected<U, E>();
    } else {
      return Expected<U, E>(std::invoke(std::forward<F>(f), std::forward<Self>(self).value()));
    }
  }

  std::variant<T, E> storage_;
};

/// `Expected<void, E>`: success or an error.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  /// Success.
  constexpr Expected() noexcept = default;
  /// An error.
  template <class G>
    requires std::is_constructible_v<E, const G&>
  constexpr Expected(const Unexpected<G>& error)  // NOLINT(google-explicit-constructor)
      : has_error_(true), error_(error.error()) {}
  template <class G>
    requires std::is_constructible_v<E, G&&>
  constexpr Expected(Unexpected<G>&& error)  // NOLINT(google-explicit-constructor)
      : has_error_(true), error_(std::move(error).error()) {}

  /// True on success.
  constexpr bool has_value() const noexcept { return !has_error_; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  /// Asserts success.
  constexpr void value() const { NANOFAAS_ASSERT(has_value()); }
  /// The error; asserts that there is one.
  constexpr const E& error() const& { return NANOFAAS_ASSERT(has_error_), error_; }
  constexpr E&& error() && { return NANOFAAS_ASSERT(has_error_), std::move(error_); }

  /// `f()` (which returns an Expected) or this error.
  template <class F>
  constexpr auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (has_value()) return std::invoke(std::forward<F>(f));
    return R(Unexpected<E>(error_));
  }
  /// `Expected{f()}` or this error.
  template <class F>
  constexpr auto transform(F&& f) const& {
    using U = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (!has_value()) return Expected<U, E>(Unexpected<E>(error_));
    if constexpr (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f));
      return Expected<U, E>();
    } else {
      return Expected<U, E>(std::invoke(std::forward<F>(f)));
    }
  }
  /// Success, or `f(error)` (which returns an Expected).
  template <class F>
  constexpr Expected or_else(F&& f) const& {
    return has_value() ? *this : std::invoke(std::forward<F>(f), error_);
  }
  /// Success, or `Unexpected{f(error)}`.
  template <class F>
  constexpr auto transform_error(F&& f) const& {
    using G = std::remove_cvref_t<std::invoke_result_t<F, const E&>>;
    if (has_value()) return Expected<void, G>();
    return Expected<void, G>(Unexpected<G>(std::invoke(std::forward<F>(f), error_)));
  }

 private:
  bool has_error_ = false;
  E error_{};
};

/// Success or an `Error`.
using Status = Expected<void>;

}  // namespace nanofaas
