#include "jetstream/held_messages.hpp"

#include <utility>

namespace nanofaas::detail {

std::uint64_t HeldMessages::add(std::unique_ptr<HeldMessage> held) {
  std::uint32_t index;
  if (free_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_.back();
    free_.pop_back();
  }
  Slot& slot = slots_[index];
  ++slot.generation;
  const std::uint64_t handle = (std::uint64_t{slot.generation} << 32) | index;
  held->record.handle = handle;
  slot.held = std::move(held);
  return handle;
}

HeldMessage* HeldMessages::find(std::uint64_t handle) noexcept {
  const auto index = static_cast<std::uint32_t>(handle);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  if (slot.held == nullptr || slot.generation != static_cast<std::uint32_t>(handle >> 32)) {
    return nullptr;
  }
  return slot.held.get();
}

std::unique_ptr<HeldMessage> HeldMessages::remove(std::uint64_t handle) noexcept {
  if (find(handle) == nullptr) return nullptr;
  const auto index = static_cast<std::uint32_t>(handle);
  free_.push_back(index);
  return std::move(slots_[index].held);
}

}  // namespace nanofaas::detail
