#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "source/queue_slot.hpp"

namespace nanofaas::detail {

/// A queue's message slots, in chunks of 1024 that never move, and the free ones. Counts the
/// slots in use (`live`): messages and retired slots. Not thread-safe: the queue's lock
/// guards it.
class SlotArena {
 public:
  /// The most slots an arena numbers (32-bit numbers, `no_slot` excluded).
  static constexpr std::size_t max_size = std::size_t{1} << 31;

  SlotArena() = default;
  SlotArena(const SlotArena&) = delete;
  SlotArena& operator=(const SlotArena&) = delete;

  /// The slot numbered `i` (below `size()`).
  QueueSlot& operator[](std::uint32_t i) noexcept {
    return chunks_[i >> chunk_bits][i & chunk_mask];
  }
  const QueueSlot& operator[](std::uint32_t i) const noexcept {
    return chunks_[i >> chunk_bits][i & chunk_mask];
  }
  /// True when `i` numbers a slot (free or not).
  [[nodiscard]] bool contains(std::uint32_t i) const noexcept { return i < size_; }
  /// Slots in use.
  [[nodiscard]] std::size_t live() const noexcept { return live_; }

  /// A free slot, now in use; the caller constructs its body.
  std::uint32_t allocate() {
    if (free_ == no_slot) grow();
    const std::uint32_t i = free_;
    free_ = (*this)[i].next;
    ++live_;
    return i;
  }

  /// Frees slot `i`, which no receive reads any more: destroys its body and attributes and
  /// bumps its generation.
  void recycle(std::uint32_t i) noexcept {
    QueueSlot& s = (*this)[i];
    s.body.~Payload();
    s.attributes.reset();
    s.holders = 0;
    s.group = no_slot;
    s.state = SlotState::free;
    ++s.generation;
    s.prev = no_slot;
    s.next = free_;
    free_ = i;
    --live_;
  }

 private:
  static constexpr std::uint32_t chunk_bits = 10;  // 1024 slots per chunk
  static constexpr std::uint32_t chunk_mask = (1u << chunk_bits) - 1;

  [[gnu::noinline]] void grow();

  std::vector<std::unique_ptr<QueueSlot[]>> chunks_;
  std::uint32_t size_ = 0;
  std::uint32_t free_ = no_slot;
  std::size_t live_ = 0;
};

}  // namespace nanofaas::detail
