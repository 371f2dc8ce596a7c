#include <new>

#include "common/publish_once.hpp"
#include "exec/counters.hpp"

namespace nanofaas::detail {
namespace {
// Where a version's asynchronous counts go when there was no memory for its own block: kept
// for good (never one block for some counts and another for the rest), and never freed.
AsyncCounters& lost_counts() noexcept {
  static AsyncCounters lost;
  return lost;
}
}  // namespace

VersionCounters::~VersionCounters() {
  AsyncCounters* counters = async_.load(std::memory_order_acquire);
  if (counters != &lost_counts()) delete counters;
}

AsyncCounters& VersionCounters::make_async() noexcept {
  AsyncCounters* fresh = new (std::nothrow) AsyncCounters;
  if (fresh == nullptr) {
    return *publish_once(async_, &lost_counts(), [](AsyncCounters*) {});
  }
  return *publish_once(async_, fresh, [](AsyncCounters* loser) { delete loser; });
}

}  // namespace nanofaas::detail
