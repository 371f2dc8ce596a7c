#pragma once

// What the runtime's white-box tests share: workers without an owner, a bounded wait for a
// condition nothing signals, and a job that holds its worker until the test lets it go.

#include <chrono>
#include <latch>
#include <thread>

#include "runtime/task.hpp"
#include "runtime/worker.hpp"
#include "runtime/worker_hooks.hpp"

namespace nanofaas::test {

/// Hooks for workers that do nothing on their main fibers.
struct NoHooks final : detail::WorkerHooks {
  time_point housekeeping(time_point) override { return time_point::max(); }
  void sweep() override {}
};

/// Waits (bounded, 10 s) until `done()`; false if it never was.
template <class Done>
bool soon(Done done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

/// Holds a worker in a job that does not return (a long handler) from `hold` until `let_go`
/// (or destruction): the worker is awake and not spinning meanwhile.
class HeldWorker {
 public:
  explicit HeldWorker(detail::Worker& worker) {
    worker.post(detail::Task::run(detail::Job{[](detail::Worker&, const detail::Job& job) {
                                                auto* self = static_cast<HeldWorker*>(job.a);
                                                self->running_.count_down();
                                                self->release_.wait();
                                              },
                                              this}));
    running_.wait();
  }
  ~HeldWorker() { let_go(); }
  HeldWorker(const HeldWorker&) = delete;
  HeldWorker& operator=(const HeldWorker&) = delete;
  void let_go() {
    if (!released_) release_.count_down();
    released_ = true;
  }

 private:
  std::latch running_{1};
  std::latch release_{1};
  bool released_ = false;
};

}  // namespace nanofaas::test
