#pragma once

#include <chrono>

namespace nanofaas::detail {

/// What the layer that owns the workers does on their main fibers: the runtime calls these and
/// knows nothing of what they do.
class WorkerHooks {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Periodic work, on worker 0's main fiber when it has nothing else to do (`now` is the
  /// steady time). Returns when it is due again.
  virtual time_point housekeeping(time_point now) = 0;
  /// Called about every millisecond while a stopping worker waits for its fibers to end.
  virtual void sweep() = 0;

 protected:
  ~WorkerHooks() = default;
};

}  // namespace nanofaas::detail
