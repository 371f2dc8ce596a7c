#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "source/queue_slot.hpp"

namespace nanofaas::detail {

struct QueueState;

/// The messages one poll found past maxReceiveCount. They move to the dead-letter queue after
/// the poll let go of its queue's lock (a chain of queues never holds two locks); meanwhile
/// their slots are `redriving`, left alone by everyone else, and gain no receives.
class RedriveBatch {
 public:
  /// Adds the message in slot `index`. `group`: its FIFO group's name, else null. `copy`:
  /// receives still read the slot, so the dead-letter queue gets a copy.
  void add(std::uint32_t index, QueueSlot& slot, const std::string* group, bool copy) {
    items_.push_back({index, &slot, group, copy, false});
  }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  /// The slot of message `k`.
  [[nodiscard]] std::uint32_t index(std::size_t k) const noexcept { return items_[k].index; }
  /// True when message `k` reached the dead-letter queue.
  [[nodiscard]] bool moved(std::size_t k) const noexcept { return items_[k].moved; }

  /// Moves each message into `dead_letters`, with no lock of its own queue held; one that
  /// does not fit stays where it is.
  void deliver(QueueState& dead_letters);

 private:
  struct Item {
    std::uint32_t index;
    QueueSlot* slot;
    const std::string* group;
    bool copy;
    bool moved;
  };
  std::vector<Item> items_;
};

}  // namespace nanofaas::detail
