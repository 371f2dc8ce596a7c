#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "nanofaas/async_queue.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

/// What a durable `AsyncQueue` keeps of an event, and makes it again from: views valid while
/// the event (for `stored_form`) or the caller's bytes (for `restore_event`) live.
struct StoredEvent {
  RequestId id{};
  /// The alias it was sent to (its event invoke configuration and metrics); empty: none.
  std::string_view alias{};
  /// Sent to "name:qualifier" (an alias or a version) rather than the bare name.
  bool qualified = false;
  /// How deep in a chain of invocations it was sent (1 from outside any handler).
  std::uint32_t depth = 1;
  /// Its trace, `span_id` the sender's span; invalid: none.
  TraceContext trace{};
  PayloadView body{};
  /// Invocations already made (0 for a new event), and how long ago it was first accepted
  /// (by the engine's clock): what a queue keeps when it stores an event again, such as one
  /// given back at shutdown (`Settlement::returned`).
  std::uint32_t attempts = 0;
  std::chrono::nanoseconds age{0};
};

/// The parts of `event` a durable queue stores (for `AsyncQueue::store`, and `settle`).
[[nodiscard]] NANOFAAS_API StoredEvent stored_form(const QueuedEvent& event) noexcept;

/// An event made from `stored` for `AsyncQueue::pop` to return: `attempts` invocations already
/// made (a delivery count less one), first accepted at `enqueued` by the steady clock (its
/// age counts against `MaximumEventAgeInSeconds`), and `tag`, the queue's own non-zero
/// handle for it (`tag_of`). The body is copied. Fails with `invalid_argument` (tag 0, depth
/// 0) or `resource_exhausted` (no memory).
[[nodiscard]] NANOFAAS_API Expected<QueuedEvent*> restore_event(
    const StoredEvent& stored, std::uint32_t attempts,
    std::chrono::steady_clock::time_point enqueued, std::uint64_t tag);

/// The tag `restore_event` gave `event`; 0 for an event the engine made itself.
[[nodiscard]] NANOFAAS_API std::uint64_t tag_of(const QueuedEvent& event) noexcept;

/// Frees an event `restore_event` made and the engine never took (a queue's destructor).
NANOFAAS_API void free_restored_event(QueuedEvent* event) noexcept;

}  // namespace nanofaas
