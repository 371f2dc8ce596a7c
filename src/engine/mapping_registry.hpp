#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "esm/mapping.hpp"
#include "esm/poller_set.hpp"

namespace nanofaas::detail {

/// The engine's event source mappings by UUID, and every poller set ever started (a
/// listener or a wake-up task may name a poller after its mapping stopped; freed with the
/// engine).
struct MappingRegistry {
  /// Stops every mapping's pollers (after their current batch) and refuses new mappings.
  /// Blocks.
  void stop_all() noexcept {
    std::lock_guard ops(ops_mutex);
    closed = true;
    std::vector<Mapping*> all;
    {
      std::lock_guard lock(mutex);
      for (auto& [uuid, mapping] : by_uuid) all.push_back(mapping.get());
    }
    for (Mapping* m : all) m->stop();
  }

  std::mutex ops_mutex;      // serialises create / update / delete / stop_all
  bool closed = false;       // set by stop_all: no new mapping starts
  mutable std::mutex mutex;  // guards the two containers
  std::map<std::string, std::unique_ptr<Mapping>, std::less<>> by_uuid;
  std::vector<std::shared_ptr<PollerSet>> poller_sets;
};

}  // namespace nanofaas::detail
