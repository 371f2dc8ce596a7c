#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "source/deadline_heap.hpp"
#include "source/slot_arena.hpp"

namespace nanofaas::detail {

/// When a queue's in-flight and delayed messages become visible. Receives append to a list
/// ordered by deadline (now plus the visibility timeout only grows); other deadlines
/// (extended, delayed, or after the clock went back) go to a heap.
class Deadlines {
 public:
  /// Sets the deadline of slot `i`, which has none. `in_order`: the list may take it (an
  /// in-flight message due no later than now plus the visibility timeout), which it does when
  /// the deadline is not before its last one.
  void arm(SlotArena& slots, std::uint32_t i, Clock::time_point deadline, bool in_order) {
    QueueSlot& s = slots[i];
    s.deadline = deadline;
    if (in_order && (tail_ == no_slot || slots[tail_].deadline <= deadline)) {
      s.timer_prev = tail_;
      s.timer_next = no_slot;
      (tail_ == no_slot ? head_ : slots[tail_].timer_next) = i;
      tail_ = i;
    } else {
      heap_.push(slots, i);
    }
  }

  /// Takes the deadline of slot `i` away.
  void disarm(SlotArena& slots, std::uint32_t i) noexcept {
    if (slots[i].heap_index != no_slot) {
      heap_.remove(slots, i);
      return;
    }
    unlink(slots, i);
  }

  /// Disarms and returns a slot whose deadline is at or before `now` (the list's first, then
  /// the heap's); `no_slot` when there is none.
  std::uint32_t pop_due(SlotArena& slots, Clock::time_point now) noexcept {
    if (head_ != no_slot && slots[head_].deadline <= now) {
      const std::uint32_t i = head_;
      unlink(slots, i);
      return i;
    }
    if (!heap_.empty() && heap_.earliest() <= now) {
      const std::uint32_t i = heap_.earliest_slot();
      heap_.remove(slots, i);
      return i;
    }
    return no_slot;
  }

  /// The earliest deadline in clock ticks since the epoch; the largest value when none.
  [[nodiscard]] std::int64_t earliest_ticks(const SlotArena& slots) const noexcept {
    std::int64_t due = std::numeric_limits<std::int64_t>::max();
    if (head_ != no_slot) due = slots[head_].deadline.time_since_epoch().count();
    if (!heap_.empty()) due = std::min(due, heap_.earliest().time_since_epoch().count());
    return due;
  }

 private:
  void unlink(SlotArena& slots, std::uint32_t i) noexcept {
    QueueSlot& s = slots[i];
    (s.timer_prev == no_slot ? head_ : slots[s.timer_prev].timer_next) = s.timer_next;
    (s.timer_next == no_slot ? tail_ : slots[s.timer_next].timer_prev) = s.timer_prev;
    s.timer_prev = s.timer_next = no_slot;
  }

  // The in-flight list, ordered by deadline, through the slots' timer_prev/timer_next.
  std::uint32_t head_ = no_slot;
  std::uint32_t tail_ = no_slot;
  DeadlineHeap heap_;
};

}  // namespace nanofaas::detail
