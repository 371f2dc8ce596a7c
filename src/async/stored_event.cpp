// What a durable queue stores of an event and makes it again from, and the default (not
// durable) answers of `AsyncQueue`'s durable members.

#include "nanofaas/stored_event.hpp"

#include <algorithm>
#include <chrono>
#include <new>
#include <string>

#include "async/async_event.hpp"
#include "async/event_pool.hpp"
#include "common/fail.hpp"
#include "core/engine_core.hpp"
#include "core/function.hpp"

namespace nanofaas {

Status AsyncQueue::store(const QueuedEvent&) {
  return detail::fail(Errc::invalid_argument, "this event queue is not durable");
}

void AsyncQueue::settle(QueuedEvent&, Settlement, std::chrono::nanoseconds) noexcept {}

void AsyncQueue::set_listener(std::function<void()>) {}

StoredEvent stored_form(const QueuedEvent& event) noexcept {
  StoredEvent out;
  out.id = event.id;
  if (event.alias != nullptr) {
    out.alias = event.alias->name;
  } else {
    out.alias = event.alias_name;
  }
  out.qualified = event.qualified;
  out.depth = event.depth;
  out.trace = event.trace;
  out.body = event.body();
  out.attempts = event.attempts;
  if (const detail::Version* v = event.version) {
    const detail::EngineCore& core = *v->engine;
    const auto now =
        core.clock_is_steady ? std::chrono::steady_clock::now() : core.config.clock->now();
    out.age = std::max(std::chrono::nanoseconds(0),
                       std::chrono::duration_cast<std::chrono::nanoseconds>(now - event.enqueued));
  }
  return out;
}

Expected<QueuedEvent*> restore_event(const StoredEvent& stored, std::uint32_t attempts,
                                     std::chrono::steady_clock::time_point enqueued,
                                     std::uint64_t tag) {
  if (tag == 0) return detail::fail(Errc::invalid_argument, "restore_event: the tag must not be 0");
  if (stored.depth == 0) return detail::fail(Errc::invalid_argument, "restore_event: depth 0");
  QueuedEvent* event = nullptr;
  try {
    event = detail::EventPool::take();
    event->set_body(stored.body);
    event->alias_name.assign(stored.alias);
  } catch (const std::bad_alloc&) {
    if (event != nullptr) detail::EventPool::give(event);
    return detail::fail(Errc::resource_exhausted, "restore_event: no memory");
  }
  event->id = stored.id;
  event->version = nullptr;  // the dispatcher that pops it adopts it
  event->config = nullptr;
  event->alias = nullptr;
  event->qualified = stored.qualified;
  event->depth = stored.depth;
  event->trace = stored.trace;
  event->attempt_span = 0;
  event->attempts = attempts;
  event->enqueued = enqueued;
  event->queue_tag = tag;
  return event;
}

std::uint64_t tag_of(const QueuedEvent& event) noexcept {
  return event.queue_tag;
}

void free_restored_event(QueuedEvent* event) noexcept {
  if (event != nullptr) detail::EventPool::give(event);
}

}  // namespace nanofaas
