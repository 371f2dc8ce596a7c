#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "source/slot_arena.hpp"

namespace nanofaas::detail {

/// A binary min-heap of a queue's slots by deadline. Each slot in it keeps its position in
/// `heap_index`, so any of them can be removed in O(log n).
class DeadlineHeap {
 public:
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  /// The earliest deadline and its slot (not empty).
  [[nodiscard]] Clock::time_point earliest() const noexcept { return entries_.front().deadline; }
  [[nodiscard]] std::uint32_t earliest_slot() const noexcept { return entries_.front().slot; }

  /// Adds slot `i` with its `deadline`.
  void push(SlotArena& slots, std::uint32_t i) {
    entries_.push_back({slots[i].deadline, i});
    up(slots, entries_.size() - 1);
  }
  /// Takes slot `i`, which is in the heap, out of it.
  void remove(SlotArena& slots, std::uint32_t i) noexcept {
    const std::size_t pos = slots[i].heap_index;
    slots[i].heap_index = no_slot;
    const Entry last = entries_.back();
    entries_.pop_back();
    if (pos == entries_.size()) return;
    set(slots, pos, last);
    up(slots, pos);
    down(slots, slots[last.slot].heap_index);
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    std::uint32_t slot;
  };

  void set(SlotArena& slots, std::size_t pos, Entry e) noexcept {
    entries_[pos] = e;
    slots[e.slot].heap_index = static_cast<std::uint32_t>(pos);
  }
  void up(SlotArena& slots, std::size_t pos) noexcept {
    const Entry e = entries_[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!(e.deadline < entries_[parent].deadline)) break;
      set(slots, pos, entries_[parent]);
      pos = parent;
    }
    set(slots, pos, e);
  }
  void down(SlotArena& slots, std::size_t pos) noexcept {
    const Entry e = entries_[pos];
    const std::size_t n = entries_.size();
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && entries_[child + 1].deadline < entries_[child].deadline) ++child;
      if (!(entries_[child].deadline < e.deadline)) break;
      set(slots, pos, entries_[child]);
      pos = child;
    }
    set(slots, pos, e);
  }

  std::vector<Entry> entries_;
};

}  // namespace nanofaas::detail
