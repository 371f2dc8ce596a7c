#pragma once

#include "async/async_dispatcher.hpp"
#include "async/async_event.hpp"
#include "async/taken_events.hpp"
#include "core/function.hpp"
#include "exec/event_completion.hpp"
#include "exec/invocation.hpp"

namespace nanofaas::detail {

/// An Event invocation: the queued event it runs, and the version's next events its
/// environment took in bulk. Reused for each event the same environment runs back to back
/// (a drain); freed when the drain ends.
struct EventInvocation final : Invocation, EventCompletion {
  explicit EventInvocation(AsyncDispatcher& owner) noexcept : dispatcher(&owner) { event = this; }

  Invocation* finished(bool timed_out, bool keep, time_point end) noexcept override {
    return dispatcher->complete(*this, timed_out, keep, end);
  }
  /// The handler suspended: the events taken in bulk go back to the queue for others.
  void release() noexcept override { dispatcher->suspended(*this); }

  AsyncDispatcher* dispatcher;
  AsyncEvent* queued = nullptr;
  TakenEvents taken;
  /// Counted in its version's `async_running`: not while its handler is suspended.
  bool counted = true;
};

/// A new EventInvocation of `owner`, from the calling thread's cache when it has one: a worker
/// that starts and ends an invocation per event (many functions, one event each) does not
/// allocate and free each time.
EventInvocation* make_event_invocation(AsyncDispatcher& owner);
/// Frees `invocation`, into the calling thread's cache while it has room.
void free_event_invocation(EventInvocation* invocation) noexcept;

}  // namespace nanofaas::detail
