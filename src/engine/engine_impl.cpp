#include "engine/engine_impl.hpp"

#include <atomic>
#include <thread>

#include "async/event_pool.hpp"
#include "common/saturating_time.hpp"

namespace nanofaas {
namespace {
using steady = std::chrono::steady_clock;
constexpr auto delay_poll = std::chrono::milliseconds(1);
std::atomic<std::uint64_t> live_engines{0};
}  // namespace

detail::LiveEngines::LiveEngines() noexcept {
  live_engines.fetch_add(1, std::memory_order_relaxed);
}

detail::LiveEngines::~LiveEngines() {
  if (live_engines.fetch_sub(1, std::memory_order_acq_rel) == 1) EventPool::release_shared();
}

Engine::Impl::~Impl() {
  shutdown(config.shutdown_drain);
}

void Engine::Impl::shutdown(std::chrono::nanoseconds drain) noexcept {
  if (stopped) return;
  // A worker cannot join itself: destroying the engine from a handler is a bug.
  NANOFAAS_ASSERT(own_worker() == nullptr);
  stopped = true;
  // Pollers finish their current batch first: their records are settled, not lost.
  mappings.stop_all();
  stop_accepting();
  // Durable queues take no more events: what they fetched and did not hand out goes back.
  async.close_queues();
  // Queued events keep running until they are done or the drain time is up.
  const auto drain_until = detail::saturating_add(steady::now(), drain);
  while (steady::now() < drain_until && async.runnable() > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  async.stop_dispatching();
  // A call handed over before the refusal started ends on its fiber (refused or run).
  std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with Engine::invoke's
  while (calls_handed_over.load(std::memory_order_acquire) != 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  wait_for_running();
  async.spill_all();
  retire_all_idle();
  stop_workers();
  // An event a worker took just as dispatching stopped may have failed into a retry since
  // the spill above: with the workers gone, nothing else will run it.
  async.spill_all();
}

Engine::Impl::time_point Engine::Impl::housekeeping(time_point now) {
  const time_point next_reclaim = reclaim_when_due(now);
  return async.release_due_events() ? steady::now() + delay_poll : next_reclaim;
}

Expected<std::unique_ptr<AsyncQueue>> Engine::Impl::make_queue(std::string_view function,
                                                               std::string_view version,
                                                               std::size_t max_queue_depth) const {
  if (!config.async_queue) return make_in_memory_async_queue(max_queue_depth);
  auto queue = config.async_queue(function, version, max_queue_depth);
  if (queue == nullptr) {
    return detail::fail(Errc::invalid_argument, "EngineConfig::async_queue made no queue for " +
                                                    std::string(function) + ":" +
                                                    std::string(version));
  }
  return queue;
}

}  // namespace nanofaas
