#include "source/listener_set.hpp"

#include <algorithm>

namespace nanofaas::detail {

void ListenerSet::set(const void* reader, std::function<void()> listener) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const auto& e) { return e.first == reader; });
  if (it != entries_.end()) entries_.erase(it);
  if (listener) entries_.emplace_back(reader, std::move(listener));
}

std::shared_ptr<const Listeners> ListenerSet::snapshot() const {
  if (entries_.empty()) return nullptr;
  auto list = std::make_shared<Listeners>();
  for (const auto& e : entries_) list->push_back(e.second);
  return list;
}

}  // namespace nanofaas::detail
