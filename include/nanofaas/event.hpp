#pragma once

#include <span>
#include <string_view>

#include "nanofaas/batch.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas {

/// The event a handler receives: a zero-copy view of the caller's bytes, or, from an event
/// source mapping, of a batch of records. Valid until the handler returns. Parse JSON in place
/// with `nanofaas::parse_json` (nanofaas/json.hpp), on the body or on each record's body.
class Event {
 public:
  /// An event over `payload`.
  explicit constexpr Event(PayloadView payload) noexcept : payload_(payload) {}
  /// An event carrying a batch of records (no body).
  explicit constexpr Event(const Batch& batch) noexcept : batch_(&batch) {}

  /// The request bytes (empty for a batch).
  [[nodiscard]] constexpr std::string_view body() const noexcept { return payload_.view(); }
  /// The request bytes with their padding information.
  [[nodiscard]] constexpr PayloadView payload() const noexcept { return payload_; }
  /// The batch from an event source mapping, or nullptr for a direct invocation.
  [[nodiscard]] constexpr const Batch* batch() const noexcept { return batch_; }
  /// The batch's records (empty for a direct invocation).
  [[nodiscard]] constexpr std::span<const Record> records() const noexcept {
    return batch_ != nullptr ? batch_->records : std::span<const Record>{};
  }

 private:
  PayloadView payload_;
  const Batch* batch_ = nullptr;
};

}  // namespace nanofaas
