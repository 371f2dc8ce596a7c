#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/async_outcome.hpp"
#include "nanofaas/async_queue.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

namespace detail {
struct Version;
struct AliasRoute;
}  // namespace detail

/// One accepted asynchronous event, owned by the engine until its outcome is delivered.
/// Events come from `EventPool`, which keeps them between uses. Laid out for the hand-over
/// from producer to worker: what both sides touch per event is in the first cache line, and
/// a small request in the next one.
struct QueuedEvent {
  /// Requests up to this size are copied into the event itself: no allocation per event.
  static constexpr std::size_t inline_capacity = 128;

  QueuedEvent() noexcept { std::memset(inline_bytes_, 0, sizeof inline_bytes_); }

  RequestId id;
  detail::Version* version = nullptr;
  const AsyncConfig* config = nullptr;  // the alias's or the version's, when accepted
  Clock::time_point enqueued;
  AsyncCompletion* completion = nullptr;      // the caller's callback, if it gave one (owned)
  QueuedEvent* pool_next = nullptr;           // EventPool's free list
  std::uint32_t attempts = 0;                 // invocations so far
  std::uint32_t throttles = 0;                // consecutive throttled dispatches (for the backoff)
  const detail::AliasRoute* alias = nullptr;  // the alias it was sent to (engine-owned)
  std::uint32_t depth = 1;                    // how deep in a chain of invocations this event is
  bool qualified = false;                     // sent to "name:qualifier" rather than the bare name
  TraceContext trace;                         // its trace, `span_id` the caller's span
  std::uint64_t attempt_span = 0;             // the span of its last attempt (0: none ran)
  /// A durable queue's handle for an event it restored (0: made by `invoke_async`); such an
  /// event has no `version` until a dispatcher adopts it, and names its alias in `alias_name`.
  std::uint64_t queue_tag = 0;
  std::string alias_name;

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
    const std::size_t size = bytes.size();
    if (size <= inline_capacity) {
      if (size != 0) std::memcpy(inline_bytes_, bytes.data(), size);
      // The padding after the bytes must read as zeros: clear only what an earlier, longer
      // request left there (the rest has stayed zero since construction).
      if (dirty_ > size) std::memset(inline_bytes_ + size, 0, dirty_ - size);
      dirty_ = static_cast<std::uint32_t>(size);
      inline_size_ = static_cast<std::uint32_t>(size);
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
    queue_tag = 0;
    if (!alias_name.empty()) alias_name.clear();
  }

 private:
  static constexpr std::uint32_t no_inline = ~std::uint32_t{0};
  std::uint32_t inline_size_ = no_inline;
  std::uint32_t dirty_ = 0;  // inline bytes past this offset are zero
  Payload owned_;
  char inline_bytes_[inline_capacity + payload_padding];
};

}  // namespace nanofaas

namespace nanofaas::detail {

/// The engine's name for the event a queue holds.
using AsyncEvent = QueuedEvent;

}  // namespace nanofaas::detail
