#pragma once

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

#include <chrono>

namespace nanofaas::detail {

class Worker;

/// The Boost.Fiber scheduling algorithm of one worker. Unlike the shipped ones it keeps no
/// process-wide state (so engines are independent), and it merges the worker's inbox into its
/// ready queue: a posted invocation resumes its environment's fiber directly, without an
/// intermediate dispatcher fiber. When idle it spins for `EngineConfig::idle_spin`, then parks
/// on a futex; any thread wakes it through `Worker::post` or Boost's remote `notify`.
class EngineAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  explicit EngineAlgorithm(Worker& worker) noexcept : worker_(&worker) {}

  void awakened(boost::fibers::context* ctx) noexcept override;
  boost::fibers::context* pick_next() noexcept override;
  bool has_ready_fibers() const noexcept override;
  void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override;
  void notify() noexcept override;

 private:
  /// Moves posted tasks into the ready queue (run, retire) or to the main fiber (create, stop).
  void drain_inbox() noexcept;

  Worker* worker_;
  boost::fibers::scheduler::ready_queue_type ready_{};
};

}  // namespace nanofaas::detail
