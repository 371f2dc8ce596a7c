#include "source/slot_arena.hpp"

#include <utility>

namespace nanofaas::detail {

void SlotArena::grow() {
  auto chunk = std::make_unique<QueueSlot[]>(std::size_t{1} << chunk_bits);
  const std::uint32_t base = size_;
  for (std::uint32_t k = 0; k <= chunk_mask; ++k) {
    chunk[k].next = k == chunk_mask ? no_slot : base + k + 1;
  }
  chunks_.push_back(std::move(chunk));
  size_ += chunk_mask + 1;
  free_ = base;
}

}  // namespace nanofaas::detail
