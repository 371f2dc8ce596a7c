#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/registry.hpp"
#include "nanofaas/function_handle.hpp"

namespace nanofaas::detail {

/// Makes and reads `FunctionHandle`s, whose members the public API keeps opaque.
struct HandleAccess {
  /// A handle to `target`, resolved from `qualified_name` by the engine whose id is `owner`.
  static FunctionHandle make(std::uint64_t owner, std::string_view qualified_name,
                             const Target& target) {
    FunctionHandle h;
    h.qualified_name_ = std::string(qualified_name);
    h.owner_ = owner;
    h.function_ = target.function;
    h.version_ = target.alias != nullptr ? nullptr : target.version;
    h.qualifier_ = target.qualifier;
    return h;
  }
  static std::uint64_t owner(const FunctionHandle& h) noexcept { return h.owner_; }
  static Function* function(const FunctionHandle& h) noexcept { return h.function_; }
  /// The version every call runs, or null for an alias (routed per call).
  static Version* version(const FunctionHandle& h) noexcept { return h.version_; }
  static std::string_view qualifier(const FunctionHandle& h) noexcept { return h.qualifier_; }
};

}  // namespace nanofaas::detail
