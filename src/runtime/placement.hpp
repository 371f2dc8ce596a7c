#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/worker.hpp"

namespace nanofaas::detail {

/// An awake worker takes new work while its backlog is below this.
inline constexpr std::uint32_t awake_backlog = 8;
/// Where new work goes: a worker that spins for work, else one busy only briefly
/// (`Worker::busy_briefly`), while its backlog is short; else the least loaded one. Waking a
/// sleeping worker costs a futex wake and, where cores are few, the core a producer needs: a burst
/// goes to the worker already awake, and wakes the next only once that one falls behind. Any
/// thread; `workers` is not empty. `last` holds the index of the worker picked last: while that
/// one still spins with a short backlog it is picked without reading the others' state (each a
/// cache line their threads write).
Worker& pick_worker(const std::vector<std::unique_ptr<Worker>>& workers,
                    std::atomic<std::uint32_t>& last) noexcept;
/// `pick_worker`'s awake worker with a short backlog, or null when there is none: then a job
/// any worker may run goes to the shared jobs (`post_anywhere`), for the first worker free.
Worker* pick_awake_worker(const std::vector<std::unique_ptr<Worker>>& workers,
                          std::atomic<std::uint32_t>& last) noexcept;
/// Puts `job` where the first worker free runs it: on an awake worker (`pick_awake_worker`),
/// else in `shared`, waking a sleeping worker unless one spins. Any thread.
void post_anywhere(const std::vector<std::unique_ptr<Worker>>& workers,
                   std::atomic<std::uint32_t>& last, SharedJobs& shared, const Job& job);
/// Where a cold start from a plain thread goes: the least loaded worker, a spinning one among
/// equals. An init may hold its worker for long (it may block the thread), so cold starts spread
/// over the workers instead of gathering behind the awake one. Any thread; `workers` is not empty.
Worker& pick_worker_to_init(const std::vector<std::unique_ptr<Worker>>& workers) noexcept;

}  // namespace nanofaas::detail
