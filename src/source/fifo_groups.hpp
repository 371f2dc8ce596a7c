#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "source/slot_arena.hpp"
#include "source/slot_list.hpp"

namespace nanofaas::detail {

/// A FIFO queue's message groups: each group's messages in order (in-flight ones included, at
/// the head), and the groups that can be received from now (nothing in flight, first message
/// visible), oldest first. A group is freed once it has no messages and no retired slot's
/// records show its name; its name's address is stable until then. Not thread-safe: the
/// queue's lock guards it.
class FifoGroups {
 public:
  /// The group named `name`, added when there is none.
  std::uint32_t find_or_add(std::string_view name);

  /// The group's first message, or `no_slot`.
  [[nodiscard]] std::uint32_t front(std::uint32_t g) const noexcept {
    return groups_[g].messages.front();
  }
  /// Appends message `i` to group `g`.
  void push_back(SlotArena& slots, std::uint32_t g, std::uint32_t i) noexcept {
    groups_[g].messages.push_back(slots, i);
  }
  /// Takes message `i` out of group `g`.
  void remove(SlotArena& slots, std::uint32_t g, std::uint32_t i) noexcept {
    groups_[g].messages.remove(slots, i);
  }

  /// A message of `g` went in flight or started moving to the dead-letter queue, which holds
  /// `g`; returns `g`'s name for its record.
  const std::string& flight_started(std::uint32_t g) noexcept {
    Group& grp = groups_[g];
    ++grp.in_flight;
    return grp.name;
  }
  /// That message is visible again or gone; call `update` after.
  void flight_ended(std::uint32_t g) noexcept { --groups_[g].in_flight; }
  /// A slot of `g` retired while receives not handed back still show `g`'s name.
  void name_retained(std::uint32_t g) noexcept { ++groups_[g].retired; }
  /// The last of those receives of one such slot was handed back; frees `g` when unused.
  void name_released(std::uint32_t g, const SlotArena& slots) {
    Group& grp = groups_[g];
    if (--grp.retired == 0 && grp.messages.empty()) update(g, slots);
  }

  /// Puts group `g` on or off the ready list after a change to it; true when it became ready.
  /// Frees it when it is unused.
  bool update(std::uint32_t g, const SlotArena& slots) {
    Group& grp = groups_[g];
    if (grp.messages.empty()) {
      if (grp.ready) unready(g);
      if (grp.retired == 0) free(g);
      return false;
    }
    const bool should =
        grp.in_flight == 0 && slots[grp.messages.front()].state == SlotState::visible;
    if (should == grp.ready) return false;
    if (!should) {
      unready(g);
      return false;
    }
    grp.ready = true;
    grp.ready_prev = ready_tail_;
    grp.ready_next = no_slot;
    (ready_tail_ == no_slot ? ready_head_ : groups_[ready_tail_].ready_next) = g;
    ready_tail_ = g;
    ++ready_count_;
    return true;
  }

  /// Groups that can be received from now.
  [[nodiscard]] std::size_t ready_count() const noexcept { return ready_count_; }
  /// Takes the oldest ready group off the ready list; `no_slot` when there is none.
  std::uint32_t pop_ready() noexcept {
    const std::uint32_t g = ready_head_;
    if (g != no_slot) unready(g);
    return g;
  }

 private:
  struct Group {
    std::string name{};
    SlotList messages{};
    std::uint32_t in_flight = 0;  // in flight or being moved to the dead-letter queue
    std::uint32_t retired = 0;    // retired slots whose records still show `name`
    std::uint32_t ready_prev = no_slot;
    std::uint32_t ready_next = no_slot;  // ... and the free list
    bool ready = false;
  };

  void unready(std::uint32_t g) noexcept {
    Group& grp = groups_[g];
    (grp.ready_prev == no_slot ? ready_head_ : groups_[grp.ready_prev].ready_next) = grp.ready_next;
    (grp.ready_next == no_slot ? ready_tail_ : groups_[grp.ready_next].ready_prev) = grp.ready_prev;
    grp.ready_prev = grp.ready_next = no_slot;
    grp.ready = false;
    --ready_count_;
  }
  void free(std::uint32_t g);

  std::deque<Group> groups_;
  std::unordered_map<std::string_view, std::uint32_t> index_;  // views the groups' names
  std::uint32_t free_ = no_slot;
  std::uint32_t ready_head_ = no_slot;
  std::uint32_t ready_tail_ = no_slot;
  std::size_t ready_count_ = 0;
};

}  // namespace nanofaas::detail
