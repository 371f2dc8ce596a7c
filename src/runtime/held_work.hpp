#pragma once

namespace nanofaas::detail {

/// Work that the fiber running now holds for others (events an environment took in bulk).
/// Should the fiber suspend before it is done, the worker's scheduler calls `release` so that
/// the work does not wait for it. `release` runs inside the scheduler: it must not block,
/// switch fibers or run user code.
class HeldWork {
 public:
  virtual void release() noexcept = 0;

 protected:
  ~HeldWork() = default;
};

}  // namespace nanofaas::detail
