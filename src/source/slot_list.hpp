#pragma once

#include <cstdint>

#include "source/slot_arena.hpp"

namespace nanofaas::detail {

/// A doubly linked list of a queue's slots through their `prev` and `next`: a standard
/// queue's visible messages, or a FIFO group's messages. A slot is in one such list at most.
class SlotList {
 public:
  [[nodiscard]] bool empty() const noexcept { return head_ == no_slot; }
  /// The first slot, or `no_slot`.
  [[nodiscard]] std::uint32_t front() const noexcept { return head_; }

  void push_back(SlotArena& slots, std::uint32_t i) noexcept {
    QueueSlot& s = slots[i];
    s.prev = tail_;
    s.next = no_slot;
    (tail_ == no_slot ? head_ : slots[tail_].next) = i;
    tail_ = i;
  }
  void push_front(SlotArena& slots, std::uint32_t i) noexcept {
    QueueSlot& s = slots[i];
    s.prev = no_slot;
    s.next = head_;
    (head_ == no_slot ? tail_ : slots[head_].prev) = i;
    head_ = i;
  }
  /// Takes the first slot out of the list (not empty) and returns it.
  std::uint32_t pop_front(SlotArena& slots) noexcept {
    const std::uint32_t i = head_;
    QueueSlot& s = slots[i];
    head_ = s.next;
    (head_ == no_slot ? tail_ : slots[head_].prev) = no_slot;
    s.next = no_slot;
    return i;
  }
  /// Takes slot `i`, which is in this list, out of it.
  void remove(SlotArena& slots, std::uint32_t i) noexcept {
    QueueSlot& s = slots[i];
    (s.prev == no_slot ? head_ : slots[s.prev].next) = s.next;
    (s.next == no_slot ? tail_ : slots[s.next].prev) = s.prev;
    s.prev = s.next = no_slot;
  }

 private:
  std::uint32_t head_ = no_slot;
  std::uint32_t tail_ = no_slot;
};

}  // namespace nanofaas::detail
