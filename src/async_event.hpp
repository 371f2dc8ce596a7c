#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/async_outcome.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

struct Version;

/// One accepted asynchronous event, owned by the engine until its outcome is delivered.
/// Events come from `EventPool`, which keeps them between uses.
struct AsyncEvent {
  /// Requests up to this size are copied into the event itself: no allocation per event.
  static constexpr std::size_t inline_capacity = 128;

  RequestId id;
  Version* version = nullptr;
  const AsyncConfig* config = nullptr;  // the alias's or the version's, when accepted
  std::string_view qualifier;           // engine-owned
  Clock::time_point enqueued;
  std::uint32_t attempts = 0;             // invocations so far
  std::uint32_t throttles = 0;            // consecutive throttled dispatches (for the backoff)
  std::uint32_t depth = 1;                // how deep in a chain of invocations this event is
  AsyncCompletion* completion = nullptr;  // the caller's callback, if it gave one (owned)
  AsyncEvent* pool_next = nullptr;        // EventPool's free list

  /// The request bytes, padded.
  [[nodiscard]] PayloadView body() const noexcept {
    return inline_size_ != no_inline ? PayloadView(inline_bytes_, inline_size_, true)
                                     : PayloadView(owned_);
  }
  /// Keeps `payload` (handed over by the caller).
  void set_body(Payload&& payload) noexcept {
    owned_ = std::move(payload);
    inline_size_ = no_inline;
  }
  /// Copies `bytes`: into the event when they fit, else into a new Payload.
  void set_body(PayloadView bytes) {
    if (bytes.size() <= inline_capacity) {
      if (!bytes.empty()) std::memcpy(inline_bytes_, bytes.data(), bytes.size());
      std::memset(inline_bytes_ + bytes.size(), 0, payload_padding);
      inline_size_ = static_cast<std::uint32_t>(bytes.size());
    } else {
      set_body(Payload::copy_of(bytes.view()));
    }
  }
  /// Frees what the event owns (its payload, its completion), ready for reuse.
  void clear() noexcept {
    owned_ = Payload{};
    inline_size_ = no_inline;
    delete completion;
    completion = nullptr;
    attempts = 0;
    throttles = 0;
  }

 private:
  static constexpr std::uint32_t no_inline = ~std::uint32_t{0};
  Payload owned_;
  std::uint32_t inline_size_ = no_inline;
  alignas(8) char inline_bytes_[inline_capacity + payload_padding];
};

}  // namespace nanofaas::detail
