#pragma once

#include <cstdint>
#include <string>

#include "async_ledger.hpp"
#include "message_ledger.hpp"
#include "violations.hpp"

// One soak: an engine with its functions, queues and mappings, loaded and changed until the
// volume is done, shut down at a random moment under load, then checked and torn down.

namespace soak {

/// What one soak does.
struct RunPlan {
  std::string label;
  std::uint64_t seed = 0;
  std::uint64_t events = 0;     ///< asynchronous events to have accepted, at least
  std::uint64_t records = 0;    ///< queue messages to have sent, at least
  double duration_seconds = 0;  ///< the load is spread over this long (0: no pacing)
  double max_seconds = 600;     ///< a failure if the volume is not done by then
  std::uint32_t functions = 300;
  std::uint32_t queues = 16;
};

/// Runs it, prints its figures, adds what failed to `violations`. Everything it made is
/// freed when it returns.
void run_soak(const RunPlan& plan, AsyncLedger& ledger, MessageLedger& messages,
              Violations& violations);

}  // namespace soak
