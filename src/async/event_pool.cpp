#include "async/event_pool.hpp"

#include <mutex>
#include <vector>

namespace nanofaas::detail {
namespace {

/// Events move between threads in chains of this many.
constexpr std::size_t batch = 128;
/// A thread keeps at most two batches; the shared list at most this many.
constexpr std::size_t max_shared_batches = 64;

/// A singly linked run of free events (through `pool_next`).
struct Chain {
  AsyncEvent* head = nullptr;
  std::size_t size = 0;

  void push(AsyncEvent* event) noexcept {
    event->pool_next = head;
    head = event;
    ++size;
  }
  AsyncEvent* pop() noexcept {
    AsyncEvent* event = head;
    head = event->pool_next;
    --size;
    return event;
  }
  /// The first `n` events, as a chain of their own.
  Chain split(std::size_t n) noexcept {
    Chain front{head, 0};
    AsyncEvent* last = head;
    for (std::size_t i = 1; i < n; ++i) last = last->pool_next;
    head = last->pool_next;
    last->pool_next = nullptr;
    front.size = n;
    size -= n;
    return front;
  }
  void free_all() noexcept {
    while (head != nullptr) delete pop();
  }
};

/// Batches handed over by threads with too many, for threads with none. Never destroyed: an
/// engine with static storage may still free events during static destruction.
struct SharedBatches {
  std::mutex mutex;
  std::vector<Chain> chains;

  bool take(Chain& into) {
    std::lock_guard lock(mutex);
    if (chains.empty()) return false;
    into = chains.back();
    chains.pop_back();
    return true;
  }
  /// False when the list is full (the caller frees the chain).
  bool give(Chain chain) {
    std::lock_guard lock(mutex);
    if (chains.size() >= max_shared_batches) return false;
    chains.push_back(chain);
    return true;
  }
};

SharedBatches& shared() {
  static SharedBatches& batches = *new SharedBatches;
  return batches;
}

/// This thread's free events; freed when the thread ends. After that (a thread's other
/// thread-local destructors, or static destruction on the main thread, may still free events
/// of an engine), events are plain `new` and `delete`.
enum class LocalState : unsigned char { unused, alive, gone };
thread_local LocalState local_state = LocalState::unused;  // trivially destructible
struct LocalFreeList {
  Chain chain;
  LocalFreeList() noexcept { local_state = LocalState::alive; }
  ~LocalFreeList() {
    local_state = LocalState::gone;
    chain.free_all();
  }
};
thread_local LocalFreeList local;

/// This thread's list (made on first use), or nullptr once the thread destroyed it.
Chain* local_chain() noexcept {
  if (local_state == LocalState::gone) return nullptr;
  return &local.chain;
}

}  // namespace

void EventPool::release_shared() noexcept {
  std::vector<Chain> chains;
  {
    std::lock_guard lock(shared().mutex);
    chains.swap(shared().chains);
  }
  for (Chain& chain : chains) chain.free_all();
}

std::size_t EventPool::shared_size() noexcept {
  std::lock_guard lock(shared().mutex);
  std::size_t size = 0;
  for (const Chain& chain : shared().chains) size += chain.size;
  return size;
}

AsyncEvent* EventPool::take() {
  Chain* mine = local_chain();
  if (mine == nullptr || (mine->size == 0 && !shared().take(*mine))) return new AsyncEvent;
  AsyncEvent* event = mine->pop();
  // The next event was last written by the thread that freed it, likely on another core:
  // fetch the two lines a producer writes now, while this event is being filled.
  if (AsyncEvent* next = mine->head) {
    __builtin_prefetch(next, 1);
    __builtin_prefetch(reinterpret_cast<const char*>(next) + 64, 1);
  }
  return event;
}

void EventPool::give(AsyncEvent* event) noexcept {
  event->clear();
  Chain* mine = local_chain();
  if (mine == nullptr) {
    delete event;
    return;
  }
  mine->push(event);
  if (mine->size < 2 * batch) return;
  Chain extra = mine->split(batch);
  bool kept = false;
  try {
    kept = shared().give(extra);
  } catch (...) {
    // No room to list it: free it instead.
  }
  if (!kept) extra.free_all();
}

}  // namespace nanofaas::detail
