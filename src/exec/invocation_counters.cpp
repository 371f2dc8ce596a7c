#include "exec/invocation_counters.hpp"

#include <new>

#include "common/publish_once.hpp"
#include "nanofaas/metrics.hpp"

namespace nanofaas::detail {

PerWorkerCounters::PerWorkerCounters(const WorkerHooks* owner, std::uint32_t workers, bool enabled)
    : owner_(owner),
      workers_(workers),
      enabled_(enabled),
      shards_(enabled ? new std::atomic<InvocationCounters*>[workers + 1]() : nullptr) {}

PerWorkerCounters::~PerWorkerCounters() {
  if (!shards_) return;
  for (std::uint32_t i = 0; i <= workers_; ++i) delete shards_[i].load(std::memory_order_acquire);
}

InvocationCounters* PerWorkerCounters::allocate(std::uint32_t index) noexcept {
  auto* fresh = new (std::nothrow) InvocationCounters(index < workers_);
  if (fresh == nullptr) return nullptr;  // no memory: this count is lost, the call is not
  return publish_once(shards_[index], fresh, [](InvocationCounters* loser) { delete loser; });
}

void PerWorkerCounters::read_into(FunctionMetrics& out) const {
  if (!shards_) return;
  for (std::uint32_t i = 0; i <= workers_; ++i) {
    const InvocationCounters* shard = shards_[i].load(std::memory_order_acquire);
    if (shard == nullptr) continue;
    const InvocationCounters& c = *shard;
    out.invocations += c.invocations.load(std::memory_order_relaxed);
    out.errors += c.errors.load(std::memory_order_relaxed);
    out.timeouts += c.timeouts.load(std::memory_order_relaxed);
    out.cold_starts += c.cold_starts.load(std::memory_order_relaxed);
    out.init_errors += c.init_errors.load(std::memory_order_relaxed);
    out.provisioned_spillover_invocations += c.spillover.load(std::memory_order_relaxed);
    c.duration.read_into(out.duration);
    c.init_duration.read_into(out.init_duration);
    c.async_event_age.read_into(out.async_event_age);
  }
}

}  // namespace nanofaas::detail
