#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "core/function.hpp"

namespace nanofaas::detail {

/// Function names to functions, for lookups that miss a caller's thread cache: open
/// addressing over {hash, function} slots (four to a cache line), so a lookup reads one slot
/// and compares one name, where a node-based hash map follows a chain of scattered nodes.
/// Written under the registry's exclusive lock, read under its shared lock.
class FunctionIndex {
 public:
  /// The function named `name`, or nullptr.
  [[nodiscard]] Function* find(std::string_view name) const noexcept {
    if (slots_.empty()) return nullptr;
    const std::size_t hash = hash_of(name);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.function == nullptr) return nullptr;
      if (slot.hash == hash && slot.function->name == name) return slot.function;
    }
  }
  /// Adds `function`, whose name is not in the index yet. Throws std::bad_alloc.
  void insert(Function* function) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(slots_, function, hash_of(function->name));
    ++size_;
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    Function* function = nullptr;
  };

  static std::size_t hash_of(std::string_view name) noexcept {
    return std::hash<std::string_view>{}(name);
  }
  static void place(std::vector<Slot>& slots, Function* function, std::size_t hash) noexcept {
    const std::size_t mask = slots.size() - 1;
    std::size_t i = hash & mask;
    while (slots[i].function != nullptr) i = (i + 1) & mask;
    slots[i] = Slot{hash, function};
  }
  /// Doubles the table (kept at most half full, so probes stay short).
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 64 : 2 * slots_.size());
    for (const Slot& slot : slots_) {
      if (slot.function != nullptr) place(bigger, slot.function, slot.hash);
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace nanofaas::detail
