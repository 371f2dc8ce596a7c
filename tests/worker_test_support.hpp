#pragma once

// What the runtime's white-box tests share: workers without an owner, a bounded wait for a
// condition nothing signals, and a job that holds its worker until the test lets it go.

#include <atomic>
#include <chrono>
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

/// Holds a worker in a job that does not return (a long handler) from construction until
/// `let_go`, or destruction, which also waits until the job has left (it touches this object
/// until then): the worker is awake and not spinning meanwhile.
class HeldWorker {
 public:
  explicit HeldWorker(detail::Worker& worker) {
    worker.post(detail::Task::run(detail::Job{[](detail::Worker&, const detail::Job& job) {
                                                auto* self = static_cast<HeldWorker*>(job.a);
                                                self->running_.store(true);
                                                while (!self->released_.load()) {
                                                  std::this_thread::yield();
                                                }
                                                self->left_.store(true);  // the last touch
                                              },
                                              this}));
    while (!running_.load()) std::this_thread::yield();
  }
  ~HeldWorker() {
    let_go();
    while (!left_.load()) std::this_thread::yield();
  }
  HeldWorker(const HeldWorker&) = delete;
  HeldWorker& operator=(const HeldWorker&) = delete;
  void let_go() { released_.store(true); }

 private:
  std::atomic<bool> running_{false};
  std::atomic<bool> released_{false};
  std::atomic<bool> left_{false};
};

}  // namespace nanofaas::test
