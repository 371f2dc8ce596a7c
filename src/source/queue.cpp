#include "nanofaas/queue.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/chain_depth.hpp"
#include "runtime/spinlock.hpp"

namespace nanofaas {
namespace detail {
namespace {

using Listeners = std::vector<std::function<void()>>;

constexpr std::uint32_t nil = 0xffff'ffff;
constexpr std::uint32_t chunk_bits = 10;  // 1024 slots per chunk
constexpr std::uint32_t chunk_mask = (1u << chunk_bits) - 1;
constexpr std::size_t max_slots = std::size_t{1} << 31;
constexpr std::size_t max_group_id = 128;
constexpr std::uint32_t max_max_receive_count = 1000;

// `retired`: deleted or moved to the dead-letter queue while receives that were not handed
// back yet still read the slot's memory; it is freed with the last of them.
enum class SlotState : std::uint8_t { free, visible, in_flight, delayed, redriving, retired };

constexpr std::size_t id_capacity = 32;  // "<queue number>-<sequence>" fits

// One message in two cache lines. Slots live in fixed chunks, and a slot is not reused while
// a receive of its message is not handed back (`holders`), so a record's views stay put until
// then. `body` is alive exactly while the slot is not free (constructed and destroyed by hand:
// no empty payloads are made or freed on the hot path).
struct alignas(64) Slot {
  Slot() noexcept {}  // leaves `body` unconstructed
  ~Slot() {
    if (state != SlotState::free) body.~Payload();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  union {
    Payload body;
  };
  std::unique_ptr<std::vector<RecordAttribute>> attributes{};  // null when there are none
  Clock::time_point arrival{};
  Clock::time_point deadline{};  // in flight: invisible until; delayed: visible from
  std::uint64_t sequence = 0;
  std::uint32_t generation = 0;  // bumped by every receive, nack, redrive and delete
  std::uint32_t born = 0;        // the generation when the message came in
  std::uint32_t holders = 0;     // receives not handed back yet (ack, nack or release)
  std::uint32_t receive_count = 0;
  std::uint32_t chain_depth = 0;   // the sender's invocation depth (loop detection)
  std::uint32_t prev = nil;        // standard: the visible list; FIFO: the group's list
  std::uint32_t next = nil;        // ... and the free list
  std::uint32_t timer_prev = nil;  // the in-flight list, ordered by deadline
  std::uint32_t timer_next = nil;
  std::uint32_t heap_index = nil;  // position in the deadline heap
  std::uint32_t group = nil;
  SlotState state = SlotState::free;
  std::uint8_t id_size = 0;
  char id[id_capacity]{};
};
static_assert(sizeof(Slot) == 128);

// A FIFO message group: its messages in order (in flight ones included, at the head).
struct Group {
  std::string name{};
  std::uint32_t head = nil;
  std::uint32_t tail = nil;
  std::uint32_t in_flight = 0;  // in flight or being moved to the dead-letter queue
  std::uint32_t retired = 0;    // retired slots whose records still show `name`
  std::uint32_t ready_prev = nil;
  std::uint32_t ready_next = nil;  // ... and the free list
  bool ready = false;
};

struct HeapEntry {
  Clock::time_point deadline;
  std::uint32_t slot;
};

struct Redrive {
  std::uint32_t index;
  Slot* slot;
  const std::string* group;
  bool copy;  // receives still read the slot: the dead-letter queue gets a copy
};

bool valid_name(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  if (fifo) {
    constexpr std::string_view suffix = ".fifo";
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) return false;
    name.remove_suffix(suffix.size());
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, std::move(message)});
}

std::atomic<std::uint32_t> queue_numbers{0};

}  // namespace

struct QueueState {
  explicit QueueState(QueueConfig c) : config(std::move(c)) {
    // Message ids: "<queue number>-<sequence>", unique in the process and short enough
    // for std::string's inline buffer.
    const std::string prefix =
        std::to_string(queue_numbers.fetch_add(1, std::memory_order_relaxed) + 1) + '-';
    std::copy(prefix.begin(), prefix.end(), next_id);
    digits_at = static_cast<std::uint8_t>(prefix.size());
    next_id[digits_at] = '1';
    next_id_size = static_cast<std::uint8_t>(digits_at + 1);
  }

  QueueConfig config;
  std::shared_ptr<QueueState> dead_letters;  // the dead-letter queue's state
  // The next message id, counted up in decimal text (cheaper than formatting each one).
  char next_id[id_capacity]{};
  std::uint8_t next_id_size = 0;
  std::uint8_t digits_at = 0;

  mutable YieldingSpinlock lock;
  std::vector<std::unique_ptr<Slot[]>> chunks;
  std::uint32_t slot_count = 0;
  std::uint32_t free_slot = nil;
  std::uint64_t next_sequence = 1;
  std::size_t live = 0;
  std::size_t visible = 0;
  std::size_t in_flight = 0;
  std::size_t delayed = 0;
  // Standard queues: the visible messages.
  std::uint32_t visible_head = nil;
  std::uint32_t visible_tail = nil;
  // In-flight messages received with the visibility timeout, ordered by deadline; others
  // (extended, delayed) are in the heap.
  std::uint32_t timer_head = nil;
  std::uint32_t timer_tail = nil;
  std::vector<HeapEntry> heap;
  // FIFO queues: groups, and those that can be received from now (nothing in flight, head
  // visible), oldest first.
  std::deque<Group> groups;
  std::unordered_map<std::string_view, std::uint32_t> group_index;
  std::uint32_t free_group = nil;
  std::uint32_t ready_head = nil;
  std::uint32_t ready_tail = nil;
  std::size_t ready_count = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> touched;  // poll scratch
  // Readers' listeners, and a snapshot that sends copy.
  std::vector<std::pair<const void*, std::function<void()>>> listener_entries;
  std::shared_ptr<const Listeners> listeners;

  // Hints for polls that find nothing, read without the lock: what can be received now
  // (standard: visible messages; FIFO: ready groups), and the earliest deadline.
  std::atomic<std::size_t> available_hint{0};
  std::atomic<std::int64_t> next_due_hint{std::numeric_limits<std::int64_t>::max()};

  // Holds the lock; publishes the hints when it lets go.
  class Guard {
   public:
    explicit Guard(QueueState& q) noexcept : q_(q) { q_.lock.lock(); }
    ~Guard() {
      q_.publish();
      q_.lock.unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    QueueState& q_;
  };
  void publish() noexcept {
    available_hint.store(config.fifo ? ready_count : visible, std::memory_order_relaxed);
    std::int64_t due = std::numeric_limits<std::int64_t>::max();
    if (timer_head != nil) due = at(timer_head).deadline.time_since_epoch().count();
    if (!heap.empty()) due = std::min(due, heap.front().deadline.time_since_epoch().count());
    next_due_hint.store(due, std::memory_order_relaxed);
  }
  // True when a poll would find nothing; no lock. A send racing with it calls the listeners.
  bool surely_empty() const noexcept {
    if (available_hint.load(std::memory_order_relaxed) != 0) return false;
    const std::int64_t due = next_due_hint.load(std::memory_order_relaxed);
    return due == std::numeric_limits<std::int64_t>::max() ||
           config.clock->now().time_since_epoch().count() < due;
  }

  Slot& at(std::uint32_t i) noexcept { return chunks[i >> chunk_bits][i & chunk_mask]; }
  Group& group(std::uint32_t g) noexcept { return groups[g]; }

  // ---- slots
  [[gnu::noinline]] void grow() {
    auto chunk = std::make_unique<Slot[]>(std::size_t{1} << chunk_bits);
    const std::uint32_t base = slot_count;
    for (std::uint32_t k = 0; k <= chunk_mask; ++k) {
      chunk[k].next = k == chunk_mask ? nil : base + k + 1;
    }
    chunks.push_back(std::move(chunk));
    slot_count += chunk_mask + 1;
    free_slot = base;
  }
  std::uint32_t allocate() {
    if (free_slot == nil) grow();
    const std::uint32_t i = free_slot;
    free_slot = at(i).next;
    ++live;
    return i;
  }
  // Frees a slot that no receive reads any more.
  void recycle(std::uint32_t i) noexcept {
    Slot& s = at(i);
    s.body.~Payload();
    s.attributes.reset();
    s.holders = 0;
    s.group = nil;
    s.state = SlotState::free;
    ++s.generation;
    s.prev = nil;
    s.next = free_slot;
    free_slot = i;
    --live;
  }

  // ---- the visible list (standard) and group lists (FIFO), through prev/next
  void push_back(std::uint32_t& head, std::uint32_t& tail, std::uint32_t i) noexcept {
    Slot& s = at(i);
    s.prev = tail;
    s.next = nil;
    (tail == nil ? head : at(tail).next) = i;
    tail = i;
  }
  void push_front(std::uint32_t& head, std::uint32_t& tail, std::uint32_t i) noexcept {
    Slot& s = at(i);
    s.prev = nil;
    s.next = head;
    (head == nil ? tail : at(head).prev) = i;
    head = i;
  }
  void unlink(std::uint32_t& head, std::uint32_t& tail, std::uint32_t i) noexcept {
    Slot& s = at(i);
    (s.prev == nil ? head : at(s.prev).next) = s.next;
    (s.next == nil ? tail : at(s.next).prev) = s.prev;
    s.prev = s.next = nil;
  }

  // ---- deadlines: the ordered in-flight list, else the heap
  void heap_set(std::size_t pos, HeapEntry e) noexcept {
    heap[pos] = e;
    at(e.slot).heap_index = static_cast<std::uint32_t>(pos);
  }
  void heap_up(std::size_t pos) noexcept {
    const HeapEntry e = heap[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!(e.deadline < heap[parent].deadline)) break;
      heap_set(pos, heap[parent]);
      pos = parent;
    }
    heap_set(pos, e);
  }
  void heap_down(std::size_t pos) noexcept {
    const HeapEntry e = heap[pos];
    const std::size_t n = heap.size();
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1].deadline < heap[child].deadline) ++child;
      if (!(heap[child].deadline < e.deadline)) break;
      heap_set(pos, heap[child]);
      pos = child;
    }
    heap_set(pos, e);
  }
  void heap_push(std::uint32_t i) {
    heap.push_back({at(i).deadline, i});
    heap_up(heap.size() - 1);
  }
  void heap_remove(std::uint32_t i) noexcept {
    const std::size_t pos = at(i).heap_index;
    at(i).heap_index = nil;
    const HeapEntry last = heap.back();
    heap.pop_back();
    if (pos == heap.size()) return;
    heap_set(pos, last);
    heap_up(pos);
    heap_down(at(last.slot).heap_index);
  }
  // Sets the deadline of an in-flight or delayed slot.
  void arm(std::uint32_t i, Clock::time_point deadline, Clock::time_point now) {
    Slot& s = at(i);
    s.deadline = deadline;
    // Receives append now + visibility_timeout, which only grows: the list stays ordered
    // as long as nothing later than that joins it.
    if (s.state == SlotState::in_flight && deadline <= now + config.visibility_timeout &&
        (timer_tail == nil || at(timer_tail).deadline <= deadline)) {
      s.timer_prev = timer_tail;
      s.timer_next = nil;
      (timer_tail == nil ? timer_head : at(timer_tail).timer_next) = i;
      timer_tail = i;
    } else {
      heap_push(i);
    }
  }
  void disarm(std::uint32_t i) noexcept {
    Slot& s = at(i);
    if (s.heap_index != nil) {
      heap_remove(i);
      return;
    }
    (s.timer_prev == nil ? timer_head : at(s.timer_prev).timer_next) = s.timer_next;
    (s.timer_next == nil ? timer_tail : at(s.timer_next).timer_prev) = s.timer_prev;
    s.timer_prev = s.timer_next = nil;
  }

  // ---- FIFO groups
  std::uint32_t group_for(std::string_view name) {
    if (auto it = group_index.find(name); it != group_index.end()) return it->second;
    std::uint32_t g = free_group;
    if (g != nil) {
      free_group = group(g).ready_next;
    } else {
      g = static_cast<std::uint32_t>(groups.size());
      groups.emplace_back();
    }
    Group& grp = group(g);
    grp.name.assign(name);
    grp.head = grp.tail = nil;
    grp.in_flight = 0;
    grp.retired = 0;
    grp.ready_prev = grp.ready_next = nil;
    grp.ready = false;
    group_index.emplace(std::string_view(grp.name), g);
    return g;
  }
  // Keeps the ready list right after a change to group `g`; true when it became ready. Frees
  // a group with no messages left whose name no retired slot's records show.
  bool update_group(std::uint32_t g) {
    Group& grp = group(g);
    if (grp.head == nil) {
      if (grp.ready) unready(g);
      if (grp.retired != 0) return false;
      group_index.erase(std::string_view(grp.name));
      grp.ready_next = free_group;
      free_group = g;
      return false;
    }
    const bool should = grp.in_flight == 0 && at(grp.head).state == SlotState::visible;
    if (should == grp.ready) return false;
    if (should) {
      grp.ready = true;
      grp.ready_prev = ready_tail;
      grp.ready_next = nil;
      (ready_tail == nil ? ready_head : group(ready_tail).ready_next) = g;
      ready_tail = g;
      ++ready_count;
      return true;
    }
    unready(g);
    return false;
  }
  void unready(std::uint32_t g) noexcept {
    Group& grp = group(g);
    (grp.ready_prev == nil ? ready_head : group(grp.ready_prev).ready_next) = grp.ready_next;
    (grp.ready_next == nil ? ready_tail : group(grp.ready_next).ready_prev) = grp.ready_prev;
    grp.ready_prev = grp.ready_next = nil;
    grp.ready = false;
    --ready_count;
  }

  // ---- state changes; each returns true when something became receivable
  bool make_visible(std::uint32_t i) {
    Slot& s = at(i);
    const SlotState was = s.state;
    s.state = SlotState::visible;
    ++visible;
    if (was == SlotState::in_flight) {
      --in_flight;
    } else {
      --delayed;
    }
    if (!config.fifo) {
      push_back(visible_head, visible_tail, i);
      return true;
    }
    if (was == SlotState::in_flight) --group(s.group).in_flight;
    return update_group(s.group);
  }
  void expire(Clock::time_point now) {
    while (timer_head != nil && at(timer_head).deadline <= now) {
      const std::uint32_t i = timer_head;
      disarm(i);
      make_visible(i);
    }
    while (!heap.empty() && heap.front().deadline <= now) {
      const std::uint32_t i = heap.front().slot;
      heap_remove(i);
      make_visible(i);
    }
  }
  // Removes a visible or in-flight message for good, ending the receive that deletes it; true
  // when its group became ready. The slot is retired while other receives still read it.
  [[gnu::always_inline]] bool erase(std::uint32_t i) {
    if (at(i).holders > 1) [[unlikely]] {
      return erase_held(i);
    }
    const bool ready = take_out(i, false);
    recycle(i);
    return ready;
  }
  // The rare case: earlier receives of the message were not handed back yet.
  [[gnu::noinline]] bool erase_held(std::uint32_t i) {
    --at(i).holders;
    const bool ready = take_out(i, true);
    retire(i);
    return ready;
  }
  // Takes a visible or in-flight message out of the lists and counts; true when its group
  // became ready. `retiring`: its group's name stays in use.
  [[gnu::always_inline]] bool take_out(std::uint32_t i, bool retiring) {
    Slot& s = at(i);
    bool ready = false;
    if (s.state == SlotState::in_flight) {
      disarm(i);
      --in_flight;
      if (config.fifo) --group(s.group).in_flight;
    } else {
      --visible;
      if (!config.fifo) unlink(visible_head, visible_tail, i);
    }
    if (config.fifo) {
      const std::uint32_t g = s.group;
      Group& grp = group(g);
      unlink(grp.head, grp.tail, i);
      if (retiring) ++grp.retired;
      ready = update_group(g);
    }
    return ready;
  }
  // The message is gone, but receives not handed back yet still read its memory: the slot
  // keeps it, counted in `live` (the bound), until the last of them ends. A FIFO caller has
  // counted it in its group's `retired`.
  [[gnu::noinline]] void retire(std::uint32_t i) noexcept {
    Slot& s = at(i);
    s.state = SlotState::retired;
    ++s.generation;
    s.prev = s.next = nil;
  }
  // Ends the hold of the receive `generation` of slot `i` without changing its message; frees
  // a retired slot with its last hold. Receives of an earlier message in the slot are ignored.
  // A record handed back twice (a caller's bug) never underflows the count, but may end
  // another receive's hold of the same message.
  [[gnu::noinline]] void hand_back(std::uint32_t i, std::uint32_t generation) noexcept {
    Slot& s = at(i);
    if (s.holders == 0 || static_cast<std::uint32_t>(generation - s.born - 1) >=
                              static_cast<std::uint32_t>(s.generation - s.born)) {
      return;
    }
    if (--s.holders != 0 || s.state != SlotState::retired) return;
    if (config.fifo) {
      const std::uint32_t g = s.group;
      Group& grp = group(g);
      if (--grp.retired == 0 && grp.head == nil) update_group(g);  // frees it
    }
    recycle(i);
  }
  // A visible message leaves for the dead-letter queue: it holds its group until it is gone.
  void start_redrive(std::uint32_t i, std::vector<Redrive>& redrives) {
    Slot& s = at(i);
    s.state = SlotState::redriving;
    ++s.generation;
    --visible;
    const std::string* name = nullptr;
    if (config.fifo) {
      Group& grp = group(s.group);
      ++grp.in_flight;
      name = &grp.name;
    }
    redrives.push_back({i, &s, name, s.holders != 0});
  }
  [[gnu::always_inline]] void receive(std::uint32_t i, Clock::time_point now,
                                      std::vector<Record>& out) {
    Slot& s = at(i);
    s.state = SlotState::in_flight;
    ++s.receive_count;
    ++s.generation;
    ++s.holders;
    --visible;
    ++in_flight;
    std::string_view group_name{};
    if (config.fifo) {
      Group& grp = group(s.group);
      ++grp.in_flight;
      group_name = grp.name;
    }
    s.deadline = now + config.visibility_timeout;
    if (timer_tail == nil || at(timer_tail).deadline <= s.deadline) {
      s.timer_prev = timer_tail;
      s.timer_next = nil;
      (timer_tail == nil ? timer_head : at(timer_tail).timer_next) = i;
      timer_tail = i;
    } else {
      heap_push(i);  // the clock went back
    }
    out.push_back(Record{
        .id = std::string_view(s.id, s.id_size),
        .body = PayloadView(s.body),
        .attributes = s.attributes ? std::span<const RecordAttribute>(*s.attributes)
                                   : std::span<const RecordAttribute>(),
        .partition_key = group_name,
        .sequence_number = s.sequence,
        .arrival_time = s.arrival,
        .receive_count = s.receive_count,
        .chain_depth = s.chain_depth,
        .lane = 0,
        .handle = (std::uint64_t{s.generation} << 32) | i,
    });
  }
  bool redrive_due(const Slot& s) const noexcept {
    return config.max_receive_count != 0 && s.receive_count >= config.max_receive_count;
  }
  // The slot a record's handle names, if that receive is still the message's latest.
  Slot* find(const Record& r, std::uint32_t& i) noexcept {
    i = static_cast<std::uint32_t>(r.handle);
    if (i >= slot_count) return nullptr;
    Slot& s = at(i);
    if (s.generation != static_cast<std::uint32_t>(r.handle >> 32)) return nullptr;
    return &s;
  }
  // Ends the hold of `r`'s receive when it is not the message's latest any more; true then.
  // Otherwise the message is in flight or visible again (every other change bumps the
  // generation) and the caller settles it.
  bool hand_back_stale(const Record& r) noexcept {
    const auto i = static_cast<std::uint32_t>(r.handle);
    if (i >= slot_count) return true;
    const auto generation = static_cast<std::uint32_t>(r.handle >> 32);
    if (at(i).generation == generation) return false;
    hand_back(i, generation);
    return true;
  }

  // ---- sending (under the lock)
  bool full() const noexcept { return live >= config.max_messages; }
  Unexpected<Error> full_error() const {
    return Unexpected(Error{Errc::resource_exhausted, "queue " + config.name + " is full"});
  }
  void advance_id() noexcept {
    for (std::size_t k = next_id_size; k-- > digits_at;) {
      if (next_id[k] != '9') {
        ++next_id[k];
        return;
      }
      next_id[k] = '0';
    }
    next_id[digits_at] = '1';  // 99 -> 100
    next_id[next_id_size++] = '0';
  }
  // Adds a message; returns its slot. `id` empty: a new one from the sequence number.
  [[gnu::always_inline]] std::uint32_t insert(
      Payload&& body, std::unique_ptr<std::vector<RecordAttribute>> attributes,
      std::string_view group_id, std::string_view id, Clock::time_point arrival,
      std::chrono::nanoseconds delay, std::uint32_t chain_depth, bool& visible_now) {
    const std::uint32_t i = allocate();
    Slot& s = at(i);
    new (&s.body) Payload(std::move(body));
    s.born = s.generation;
    s.attributes = std::move(attributes);
    s.arrival = arrival;
    s.sequence = next_sequence++;
    s.receive_count = 0;
    s.chain_depth = chain_depth;
    if (id.empty()) {
      std::memcpy(s.id, next_id, id_capacity);
      s.id_size = next_id_size;
      advance_id();
    } else {
      const std::size_t n = std::min(id.size(), id_capacity);
      std::copy_n(id.data(), n, s.id);
      s.id_size = static_cast<std::uint8_t>(n);
    }
    if (config.fifo) {
      s.group = group_for(group_id);
      Group& grp = group(s.group);
      push_back(grp.head, grp.tail, i);
    }
    if (delay.count() > 0) {
      s.state = SlotState::delayed;
      ++delayed;
      arm(i, arrival + delay, arrival);
      visible_now = false;
      return i;
    }
    s.state = SlotState::visible;
    ++visible;
    if (config.fifo) {
      visible_now = update_group(s.group);
    } else {
      push_back(visible_head, visible_tail, i);
      visible_now = true;
    }
    return i;
  }

  // Takes the listeners to call once the lock is released.
  std::shared_ptr<const Listeners> wake_list() const { return listeners; }
  static void wake(const std::shared_ptr<const Listeners>& list) {
    if (!list) return;
    for (const auto& f : *list) f();
  }

  void set_listener(const void* reader, std::function<void()> wake) {
    std::shared_ptr<const Listeners> old;
    Guard guard(*this);
    auto it = std::find_if(listener_entries.begin(), listener_entries.end(),
                           [&](const auto& e) { return e.first == reader; });
    if (it != listener_entries.end()) listener_entries.erase(it);
    if (wake) listener_entries.emplace_back(reader, std::move(wake));
    old = std::move(listeners);
    if (!listener_entries.empty()) {
      auto list = std::make_shared<Listeners>();
      for (const auto& e : listener_entries) list->push_back(e.second);
      listeners = std::move(list);
    }
  }

  // Moves a message in from a queue whose redrive policy sends it here, taking `body` and
  // `attributes`; false when full (then they are left alone).
  bool accept_redrive(Payload& body, std::unique_ptr<std::vector<RecordAttribute>>& attributes,
                      const Slot& from, const std::string* group_name) {
    std::shared_ptr<const Listeners> to_wake;
    {
      Guard guard(*this);
      if (full()) return false;
      bool visible_now = false;
      insert(std::move(body), std::move(attributes),
             group_name != nullptr ? std::string_view(*group_name) : std::string_view{},
             std::string_view(from.id, from.id_size), from.arrival, std::chrono::nanoseconds{0}, 0,
             visible_now);  // a dead-letter queue starts a new chain
      if (visible_now) to_wake = wake_list();
    }
    wake(to_wake);
    return true;
  }

  // Moves messages to the dead-letter queue with no lock of this queue held (a chain of
  // queues never holds two locks), then settles them here. A redriving slot is left alone by
  // everyone else, and gains no receives: its body moves unless earlier receives still read
  // it, which keep it until they are handed back.
  void finish_redrives(const std::vector<Redrive>& redrives) {
    std::vector<char> moved(redrives.size());
    for (std::size_t k = 0; k < redrives.size(); ++k) {
      Slot& from = *redrives[k].slot;
      bool ok = false;
      if (!redrives[k].copy) {
        ok = dead_letters->accept_redrive(from.body, from.attributes, from, redrives[k].group);
      } else {
        Payload body = Payload::copy_of(from.body.view());
        std::unique_ptr<std::vector<RecordAttribute>> attributes;
        if (from.attributes) {
          attributes = std::make_unique<std::vector<RecordAttribute>>(*from.attributes);
        }
        ok = dead_letters->accept_redrive(body, attributes, from, redrives[k].group);
      }
      moved[k] = ok ? 1 : 0;
    }
    std::shared_ptr<const Listeners> to_wake;
    {
      Guard guard(*this);
      bool ready = false;
      for (std::size_t k = 0; k < redrives.size(); ++k) {
        const std::uint32_t i = redrives[k].index;
        Slot& s = at(i);
        if (moved[k] != 0) {
          if (config.fifo) {
            const std::uint32_t g = s.group;
            Group& grp = group(g);
            --grp.in_flight;
            unlink(grp.head, grp.tail, i);
            if (s.holders != 0) ++grp.retired;
            ready |= update_group(g);
          }
          if (s.holders == 0) {
            recycle(i);
          } else {
            retire(i);
          }
        } else {
          // The dead-letter queue is full: the message stays here, visible, and its move is
          // tried again on the next poll. No wake-up, so a full queue does not spin pollers.
          s.state = SlotState::visible;
          ++visible;
          if (config.fifo) {
            --group(s.group).in_flight;
            update_group(s.group);
          } else {
            push_back(visible_head, visible_tail, i);
          }
        }
      }
      if (ready) to_wake = wake_list();
    }
    wake(to_wake);
  }

  std::size_t poll(std::size_t max, std::vector<Record>& out) {
    if (max == 0 || surely_empty()) return 0;
    std::vector<Redrive> redrives;
    std::size_t taken = 0;
    {
      Guard guard(*this);
      const Clock::time_point now = config.clock->now();
      expire(now);
      if (!config.fifo) {
        while (taken < max && visible_head != nil) {
          const std::uint32_t i = visible_head;
          unlink(visible_head, visible_tail, i);
          if (redrive_due(at(i))) {
            start_redrive(i, redrives);
          } else {
            receive(i, now, out);
            ++taken;
          }
        }
      } else {
        taken = poll_fifo(max, now, out, redrives);
      }
    }
    if (!redrives.empty()) finish_redrives(redrives);
    return taken;
  }

  // Takes consecutive visible messages of group `g` from `cursor`, at most `limit`; returns
  // the next message to take, or nil when the group can give no more in this poll.
  std::uint32_t take(std::uint32_t cursor, std::size_t limit, std::size_t& taken,
                     Clock::time_point now, std::vector<Record>& out,
                     std::vector<Redrive>& redrives) {
    for (std::size_t n = 0; cursor != nil && n < limit; ++n) {
      Slot& s = at(cursor);
      if (s.state != SlotState::visible) return nil;  // delayed: later messages wait
      const std::uint32_t next = s.next;
      if (redrive_due(s)) {
        start_redrive(cursor, redrives);
        return nil;  // the group waits until the message has moved
      }
      receive(cursor, now, out);
      ++taken;
      cursor = next;
    }
    return cursor;
  }

  // One pass over the ready groups, oldest first, each taking a fair share of `max`; then
  // the groups with more to give fill the rest.
  std::size_t poll_fifo(std::size_t max, Clock::time_point now, std::vector<Record>& out,
                        std::vector<Redrive>& redrives) {
    std::size_t taken = 0;
    if (ready_count == 0) return 0;
    const std::size_t share = std::max<std::size_t>(1, (max + ready_count - 1) / ready_count);
    touched.clear();
    while (taken < max && ready_head != nil) {
      const std::uint32_t g = ready_head;
      unready(g);
      const std::uint32_t rest =
          take(group(g).head, std::min(share, max - taken), taken, now, out, redrives);
      if (rest != nil) touched.emplace_back(g, rest);
    }
    for (std::size_t k = 0; k < touched.size() && taken < max; ++k) {
      take(touched[k].second, max - taken, taken, now, out, redrives);
    }
    return taken;
  }

  void ack(std::span<const Record> records) {
    std::shared_ptr<const Listeners> to_wake;
    {
      Guard guard(*this);
      bool ready = false;
      for (const Record& r : records) {
        // Deletes the latest receive, also after its visibility expired if nobody received
        // the message since (as SQS does). An earlier receive deletes nothing.
        if (hand_back_stale(r)) continue;
        ready |= erase(static_cast<std::uint32_t>(r.handle));
      }
      if (ready) to_wake = wake_list();
    }
    wake(to_wake);
  }

  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) {
    delay = std::clamp(delay, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
    std::shared_ptr<const Listeners> to_wake;
    {
      Guard guard(*this);
      const Clock::time_point now = delay.count() > 0 ? config.clock->now() : Clock::time_point{};
      bool woke = false;
      // Standard queues put them back at the front in their order; FIFO messages never left
      // their place in the group.
      for (std::size_t k = records.size(); k-- > 0;) {
        if (hand_back_stale(records[k])) continue;
        const auto i = static_cast<std::uint32_t>(records[k].handle);
        Slot* s = &at(i);
        if (s->holders != 0) --s->holders;
        if (s->state != SlotState::in_flight) continue;  // visible again: nothing to do
        disarm(i);
        ++s->generation;
        --in_flight;
        if (config.fifo) --group(s->group).in_flight;
        if (delay.count() > 0) {
          s->state = SlotState::delayed;
          ++delayed;
          arm(i, now + delay, now);
          if (config.fifo) woke |= update_group(s->group);
          continue;
        }
        s->state = SlotState::visible;
        ++visible;
        if (config.fifo) {
          woke |= update_group(s->group);
        } else {
          push_front(visible_head, visible_tail, i);
          woke = true;
        }
      }
      if (woke) to_wake = wake_list();
    }
    wake(to_wake);
  }

  void release(std::span<const Record> records) {
    Guard guard(*this);
    for (const Record& r : records) {
      const auto i = static_cast<std::uint32_t>(r.handle);
      if (i < slot_count) hand_back(i, static_cast<std::uint32_t>(r.handle >> 32));
    }
  }

  void extend_visibility(std::span<const Record> records, std::chrono::nanoseconds timeout) {
    timeout = std::clamp(timeout, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
    Guard guard(*this);
    const Clock::time_point now = config.clock->now();
    for (const Record& r : records) {
      std::uint32_t i = 0;
      Slot* s = find(r, i);
      if (s == nullptr || s->state != SlotState::in_flight) continue;
      disarm(i);
      arm(i, now + timeout, now);
    }
  }

  std::size_t count(const std::size_t QueueState::*counter) {
    Guard guard(*this);
    expire(config.clock->now());
    return this->*counter;
  }
};

namespace {

class QueueReader final : public SourceReader {
 public:
  explicit QueueReader(std::shared_ptr<QueueState> state) noexcept : state_(std::move(state)) {}
  ~QueueReader() override { state_->set_listener(this, {}); }

  std::uint32_t lanes() const noexcept override { return 1; }
  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override {
    return lane == 0 ? state_->poll(max, out) : 0;
  }
  void ack(std::span<const Record> records) override { state_->ack(records); }
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) override {
    state_->nack(records, delay);
  }
  void release(std::span<const Record> records) override { state_->release(records); }
  void checkpoint(std::uint32_t, std::uint64_t) override {}
  void extend_visibility(std::span<const Record> records,
                         std::chrono::nanoseconds timeout) override {
    state_->extend_visibility(records, timeout);
  }
  void set_listener(std::function<void()> wake) override {
    state_->set_listener(this, std::move(wake));
  }

 private:
  std::shared_ptr<QueueState> state_;
};

}  // namespace
}  // namespace detail

Queue::Queue(std::shared_ptr<detail::QueueState> state) noexcept : state_(std::move(state)) {}

Queue::~Queue() = default;

Expected<std::shared_ptr<Queue>> Queue::create(QueueConfig config) {
  using detail::invalid;
  if (!detail::valid_name(config.name, config.fifo)) {
    return invalid(config.fifo
                       ? "queue name must be 1-80 characters of [A-Za-z0-9_-] ending in .fifo"
                       : "queue name must be 1-80 characters of [A-Za-z0-9_-]");
  }
  if (config.visibility_timeout.count() < 0 ||
      config.visibility_timeout > queue_max_visibility_timeout) {
    return invalid("visibility_timeout must be between 0 and 12 hours");
  }
  if (config.max_receive_count > detail::max_max_receive_count) {
    return invalid("max_receive_count must be between 1 and 1000 (0: no redrive)");
  }
  if ((config.max_receive_count > 0) != (config.dead_letter_queue != nullptr)) {
    return invalid(
        "a redrive policy needs both max_receive_count and dead_letter_queue, or neither");
  }
  if (config.dead_letter_queue && config.dead_letter_queue->fifo() != config.fifo) {
    return invalid(
        "the dead-letter queue of a FIFO queue must be FIFO, and of a standard "
        "queue standard");
  }
  if (config.max_messages == 0 || config.max_messages > detail::max_slots) {
    return invalid("max_messages must be between 1 and 2^31");
  }
  if (config.clock == nullptr) return invalid("clock must not be null");
  std::shared_ptr<detail::QueueState> dead_letters;
  if (config.dead_letter_queue) dead_letters = config.dead_letter_queue->state_;
  auto state = std::make_shared<detail::QueueState>(std::move(config));
  state->dead_letters = std::move(dead_letters);
  return std::shared_ptr<Queue>(new Queue(std::move(state)));
}

Expected<std::string> Queue::send(Payload body, SendOptions options) {
  detail::QueueState& q = *state_;
  if (q.config.fifo) {
    if (options.message_group_id.empty() ||
        options.message_group_id.size() > detail::max_group_id) {
      return detail::invalid("a FIFO queue needs a message_group_id of 1-128 bytes");
    }
  } else {
    options.message_group_id = {};
  }
  if (options.delay.count() < 0 || options.delay > queue_max_delay) {
    return detail::invalid("delay must be between 0 and 15 minutes");
  }
  std::size_t size = body.size();
  for (const RecordAttribute& a : options.attributes) size += a.name.size() + a.value.size();
  if (size > queue_max_message_size) {
    return Unexpected(Error{Errc::request_too_large, "message larger than 6 MiB"});
  }
  std::unique_ptr<std::vector<RecordAttribute>> attributes;
  if (!options.attributes.empty()) {
    attributes = std::make_unique<std::vector<RecordAttribute>>(std::move(options.attributes));
  }
  const Clock::time_point now = q.config.clock->now();
  const std::uint32_t chain_depth = detail::current_chain_depth();
  std::shared_ptr<const detail::Listeners> to_wake;
  std::string id;
  {
    detail::QueueState::Guard guard(q);
    if (q.full()) return q.full_error();
    bool visible_now = false;
    const std::uint32_t i =
        q.insert(std::move(body), std::move(attributes), options.message_group_id, {}, now,
                 options.delay, chain_depth, visible_now);
    const detail::Slot& s = q.at(i);
    id.assign(s.id, s.id_size);
    if (visible_now) to_wake = q.wake_list();
  }
  detail::QueueState::wake(to_wake);
  return id;
}

Expected<std::string> Queue::send(PayloadView body, SendOptions options) {
  if (body.size() > queue_max_message_size) {
    return Unexpected(Error{Errc::request_too_large, "message larger than 6 MiB"});
  }
  return send(Payload::copy_of(body.view()), std::move(options));
}

std::size_t Queue::send_batch(std::span<Payload> bodies, std::string_view message_group_id) {
  detail::QueueState& q = *state_;
  if (q.config.fifo) {
    if (message_group_id.empty() || message_group_id.size() > detail::max_group_id) return 0;
  } else {
    message_group_id = {};
  }
  if (bodies.empty()) return 0;
  const Clock::time_point now = q.config.clock->now();
  const std::uint32_t chain_depth = detail::current_chain_depth();
  std::shared_ptr<const detail::Listeners> to_wake;
  std::size_t sent = 0;
  {
    detail::QueueState::Guard guard(q);
    bool woke = false;
    for (Payload& body : bodies) {
      if (q.full() || body.size() > queue_max_message_size) break;
      bool visible_now = false;
      q.insert(std::move(body), {}, message_group_id, {}, now, std::chrono::nanoseconds{0},
               chain_depth, visible_now);
      woke |= visible_now;
      ++sent;
    }
    if (woke) to_wake = q.wake_list();
  }
  detail::QueueState::wake(to_wake);
  return sent;
}

std::size_t Queue::approximate_visible() const {
  return state_->count(&detail::QueueState::visible);
}

std::size_t Queue::approximate_in_flight() const {
  return state_->count(&detail::QueueState::in_flight);
}

std::size_t Queue::approximate_delayed() const {
  return state_->count(&detail::QueueState::delayed);
}

bool Queue::fifo() const noexcept {
  return state_->config.fifo;
}

SourceKind Queue::kind() const noexcept {
  return state_->config.fifo ? SourceKind::fifo_queue : SourceKind::queue;
}

std::string_view Queue::name() const noexcept {
  return state_->config.name;
}

Expected<std::unique_ptr<SourceReader>> Queue::open(ReaderOptions) {
  return std::unique_ptr<SourceReader>(std::make_unique<detail::QueueReader>(state_));
}

}  // namespace nanofaas
