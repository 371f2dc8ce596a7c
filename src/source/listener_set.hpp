#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace nanofaas::detail {

/// A snapshot of a source's listeners: senders copy it under their lock and call it after.
using Listeners = std::vector<std::function<void()>>;

/// Calls every listener of `list` (null: none). Call it with no lock held.
inline void wake(const std::shared_ptr<const Listeners>& list) {
  if (!list) return;
  for (const auto& f : *list) f();
}

/// The listeners of a source's readers, at most one per reader. Not thread-safe: its owner
/// guards it and hands the snapshots to senders.
class ListenerSet {
 public:
  /// Sets `reader`'s listener, replacing an earlier one; an empty `listener` removes it.
  void set(const void* reader, std::function<void()> listener);
  /// A new snapshot of the listeners; null when there are none.
  [[nodiscard]] std::shared_ptr<const Listeners> snapshot() const;

 private:
  std::vector<std::pair<const void*, std::function<void()>>> entries_;
};

}  // namespace nanofaas::detail
