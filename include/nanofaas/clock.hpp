#pragma once

#include <chrono>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// The time source for schedules the engine keeps (environment keep-alive). Tests inject a
/// manual clock so that a 10-minute keep-alive is checked without waiting. Must be thread-safe.
class NANOFAAS_API Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  /// The current time. Thread-safe.
  [[nodiscard]] virtual time_point now() const noexcept = 0;
  /// The process-wide steady clock.
  static const Clock& steady() noexcept;
};

}  // namespace nanofaas
