#pragma once

#include <chrono>

#include "runtime/held_work.hpp"

namespace nanofaas::detail {

struct Invocation;

/// How an invocation that no caller waits for (Lambda's `Event`) ends: the asynchronous
/// dispatcher settles its outcome and may hand the same environment its next event. As
/// `HeldWork`, it gives back the events it holds for the environment if the handler suspends.
class EventCompletion : public HeldWork {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// The invocation ended at `end` (steady), on an environment that stays (`keep`: returns the
  /// invocation refilled with the version's next event for it, or nullptr) or is discarded
  /// (returns nullptr). With nullptr the invocation is freed.
  virtual Invocation* finished(bool timed_out, bool keep, time_point end) noexcept = 0;

 protected:
  ~EventCompletion() = default;
};

}  // namespace nanofaas::detail
