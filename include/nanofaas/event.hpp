#pragma once

#include <string_view>

#include "nanofaas/payload.hpp"

namespace nanofaas {

/// The event a handler receives: a zero-copy view of the caller's bytes. Valid until the
/// handler returns. Parse JSON in place with `nanofaas::parse_json` (nanofaas/json.hpp).
class Event {
 public:
  /// An event over `payload`.
  explicit constexpr Event(PayloadView payload) noexcept : payload_(payload) {}

  /// The request bytes.
  [[nodiscard]] constexpr std::string_view body() const noexcept { return payload_.view(); }
  /// The request bytes with their padding information.
  [[nodiscard]] constexpr PayloadView payload() const noexcept { return payload_; }

 private:
  PayloadView payload_;
};

}  // namespace nanofaas
