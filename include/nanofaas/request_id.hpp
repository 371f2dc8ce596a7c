#pragma once

#include <cstdint>
#include <string>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// A unique invocation id (128 bits), formatted like Lambda's UUID request ids.
struct NANOFAAS_API RequestId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  /// "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".
  [[nodiscard]] std::string to_string() const;
  /// True for an id that was assigned (not default-constructed).
  [[nodiscard]] explicit operator bool() const noexcept { return (high | low) != 0; }
  friend bool operator==(const RequestId&, const RequestId&) = default;
};

}  // namespace nanofaas
