#include "source/fifo_groups.hpp"

namespace nanofaas::detail {

std::uint32_t FifoGroups::find_or_add(std::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  std::uint32_t g = free_;
  if (g != no_slot) {
    free_ = groups_[g].ready_next;
  } else {
    g = static_cast<std::uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  Group& grp = groups_[g];
  grp.name.assign(name);
  grp.messages = SlotList{};
  grp.in_flight = 0;
  grp.retired = 0;
  grp.ready_prev = grp.ready_next = no_slot;
  grp.ready = false;
  index_.emplace(std::string_view(grp.name), g);
  return g;
}

void FifoGroups::free(std::uint32_t g) {
  Group& grp = groups_[g];
  index_.erase(std::string_view(grp.name));
  grp.ready_next = free_;
  free_ = g;
}

}  // namespace nanofaas::detail
