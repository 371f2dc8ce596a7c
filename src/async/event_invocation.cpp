#include "async/event_invocation.hpp"

#include <cstddef>
#include <new>

namespace nanofaas::detail {
namespace {

/// Constructed, unused invocations, freed with the thread.
struct Cache {
  static constexpr std::size_t capacity = 32;
  EventInvocation* items[capacity] = {};
  std::size_t size = 0;
  ~Cache() {
    while (size > 0) delete items[--size];
  }
};
thread_local Cache cache;

}  // namespace

EventInvocation* make_event_invocation(AsyncDispatcher& owner) {
  if (cache.size == 0) return new EventInvocation(owner);
  EventInvocation* inv = cache.items[--cache.size];
  inv->dispatcher = &owner;
  return inv;
}

void free_event_invocation(EventInvocation* inv) noexcept {
  if (cache.size == Cache::capacity) {
    delete inv;
    return;
  }
  AsyncDispatcher& owner = *inv->dispatcher;
  inv->~EventInvocation();
  cache.items[cache.size++] = new (inv) EventInvocation(owner);
}

}  // namespace nanofaas::detail
