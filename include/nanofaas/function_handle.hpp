#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"

namespace nanofaas {

namespace detail {
struct Function;
struct Version;
struct HandleAccess;
}  // namespace detail

/// A qualified name looked up once (`Engine::resolve`), for callers that invoke the same
/// function many times: a call through it skips the name lookup, and runs what a call by name
/// would run at that moment. An unqualified name or "$LATEST" runs $LATEST, a number that
/// version, and an alias the version its routing picks for this call, after any update (a call
/// through a deleted alias is `not_found`). Copyable; usable with the engine that made it only
/// (another engine's calls fail with `invalid_argument`), while that engine lives. A
/// default-constructed handle is empty, and calls through it fail with `invalid_argument`.
class NANOFAAS_API FunctionHandle {
 public:
  FunctionHandle() = default;
  // Copies only: a handle moved from stays as usable as its copy.
  FunctionHandle(const FunctionHandle&) = default;
  FunctionHandle& operator=(const FunctionHandle&) = default;

  /// The name as resolved ("name", "name:$LATEST", "name:7" or "name:alias").
  [[nodiscard]] std::string_view qualified_name() const noexcept { return qualified_name_; }
  /// True once resolved.
  [[nodiscard]] explicit operator bool() const noexcept { return function_ != nullptr; }

 private:
  friend struct detail::HandleAccess;

  std::string qualified_name_;
  std::uint64_t owner_ = 0;  // the id of the engine that resolved it (0: none)
  detail::Function* function_ = nullptr;
  detail::Version* version_ = nullptr;  // null for an alias: routed per call
  std::string_view qualifier_;          // engine-owned; empty for an unqualified name
};

}  // namespace nanofaas
