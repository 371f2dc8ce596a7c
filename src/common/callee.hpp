#pragma once

#include <string_view>
#include <type_traits>

#include "nanofaas/function_handle.hpp"

namespace nanofaas::detail {

/// Whom a call is for: a qualified name, looked up per call, or a handle resolved before
/// (`Engine::resolve`), whose name it carries for errors.
struct Callee {
  template <class Name>
    requires std::is_convertible_v<const Name&, std::string_view> Callee(const Name& name)
  noexcept : qualified_name(name) {}               // NOLINT: implicit
  Callee(const FunctionHandle& resolved) noexcept  // NOLINT: implicit
      : qualified_name(resolved.qualified_name()), handle(&resolved) {}

  std::string_view qualified_name;
  const FunctionHandle* handle = nullptr;
};

}  // namespace nanofaas::detail
