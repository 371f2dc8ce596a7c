#pragma once

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

#include <chrono>
#include <cstddef>

#include "runtime/asan_fibers.hpp"
#include "runtime/shared_jobs.hpp"

namespace nanofaas::detail {

class Worker;
struct Job;

/// The Boost.Fiber scheduling algorithm of one worker. Unlike the shipped ones it keeps no
/// process-wide state (so engines are independent), and it merges the worker's inbox into its
/// ready queue: a posted delivery resumes its mailbox's fiber directly, without an
/// intermediate dispatcher fiber. When idle it spins (`IdleSpin`), then parks
/// on a futex; any thread wakes it through `Worker::post` or Boost's remote `notify`.
/// Deliveries a caller waits for run first, in the order they were posted, but at most
/// `caller_streak` in a row while other fibers are ready. As it picks every switch, it tells
/// AddressSanitizer about them (`AsanSwitches`).
class WorkerAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  explicit WorkerAlgorithm(Worker& worker) noexcept;

  void awakened(boost::fibers::context* ctx) noexcept override;
  boost::fibers::context* pick_next() noexcept override;
  bool has_ready_fibers() const noexcept override;
  void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override;
  void notify() noexcept override;

 private:
  using ReadyQueue = boost::fibers::scheduler::ready_queue_type;

  /// Moves posted tasks into the ready queues (deliver, close, wake) or to the main fiber (jobs).
  void drain_inbox() noexcept;
  /// Moves up to `shared_batch` of the shared jobs to the main fiber; false if there were none.
  bool take_shared() noexcept { return shared_ != nullptr && !shared_->empty() && move_shared(); }
  bool move_shared() noexcept;
  /// Unlinks and returns the first context of `queue` that is not `self`, or nullptr.
  static boost::fibers::context* take_first(ReadyQueue& queue,
                                            const boost::fibers::context* self) noexcept;

  /// The job a stop task becomes: the worker ends once its fibers have.
  static void stop(Worker& worker, const Job& job);

  static constexpr unsigned caller_streak = 16;
  static constexpr std::size_t shared_batch = 1;  // one at a time: no hoarding while busy

  Worker* worker_;
  SharedJobs* shared_;    // the worker's shared jobs, or null
  ReadyQueue callers_{};  // fibers given a delivery a caller waits for
  ReadyQueue ready_{};    // everything else
  unsigned streak_ = 0;   // callers picked in a row
  unsigned picks_ = 0;    // picks among other work, for the shared jobs' turn
  // Tells AddressSanitizer of each switch; nothing without it.
  [[no_unique_address]] AsanSwitches switches_;
};

}  // namespace nanofaas::detail
