#include <new>

#include "common/publish_once.hpp"
#include "exec/counters.hpp"

namespace nanofaas::detail {

VersionCounters::~VersionCounters() {
  delete async_.load(std::memory_order_acquire);
}

AsyncCounters& VersionCounters::make_async() noexcept {
  auto* fresh = new (std::nothrow) AsyncCounters;
  if (fresh == nullptr) {
    static AsyncCounters lost;  // no memory: these counts are lost, the events are not
    return lost;
  }
  return *publish_once(async_, fresh, [](AsyncCounters* loser) { delete loser; });
}

}  // namespace nanofaas::detail
