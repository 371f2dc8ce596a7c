#pragma once

#include <string_view>

#include "async/async_event.hpp"
#include "exec/counters.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/error.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/metrics.hpp"

namespace nanofaas::detail {

/// Runs `f` (user code, or a copy that may not find memory); false when it threw or said no.
template <class F>
bool succeeds(F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    return false;
  }
}

/// True when `async` has a dead-letter callback, queue or sink.
inline bool has_dead_letter(const AsyncConfig& async) noexcept {
  return static_cast<bool>(async.dead_letter) || async.dead_letter_queue != nullptr ||
         async.dead_letter_sink != nullptr;
}

/// How a drop reason shows in Lambda's records: the destination's `condition`, the dead
/// letter's `ErrorCode`, and the engine error a completion callback gets when the function
/// never ran.
struct DropLabels {
  std::string_view condition;
  std::string_view error_code;
  Errc error;
};
constexpr DropLabels labels_of(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::retries_exhausted: return {"RetriesExhausted", "200", Errc::unavailable};
    case DropReason::event_age_exceeded:
      return {"EventAgeExceeded", "EventAgeExceeded", Errc::unavailable};
    case DropReason::throttled: return {"RetriesExhausted", "429", Errc::too_many_requests};
    case DropReason::recursive_loop:
      return {"RetriesExhausted", "RecursiveInvocationException", Errc::recursive_invocation};
    case DropReason::shutdown: return {"Shutdown", "Shutdown", Errc::unavailable};
  }
  return {"RetriesExhausted", "200", Errc::unavailable};
}

/// Lambda's invocation record for `event`; `out` is null when the function never ran.
InvocationRecord make_record(const AsyncEvent& event, std::string_view condition,
                             const InvokeOutput* out);

}  // namespace nanofaas::detail
