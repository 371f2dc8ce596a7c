#pragma once

#include <boost/fiber/context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/batch.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {

struct EnvironmentSpec;
class EventCompletion;
class PerWorkerCounters;

/// A batch from an event source mapping, and what its handler returned besides the response.
/// Lives on the poller's stack: the poller waits for the handler to return, past its deadline.
struct BatchCall {
  const Batch* batch = nullptr;
  /// The trace the batch continues: its first record's (invalid: a new trace).
  TraceContext trace{};
  std::vector<std::string> failed_items;
  std::string state;
};

/// Which concurrency counter an invocation holds a slot of: the function's reservation, the
/// provisioned concurrency of a function without one, or the unreserved pool.
enum class ConcurrencySlot : std::uint8_t { reserved, provisioned, unreserved };

/// One synchronous call in flight: what the caller asked, and where the result goes.
/// Owned by the caller until it gives up (timeout); then the executing environment frees it.
struct Invocation {
  /// `state`: the caller waits on it; the environment completes it with one exchange.
  static constexpr std::uint32_t pending = 0;
  static constexpr std::uint32_t done = 1;
  static constexpr std::uint32_t caller_sleeping = 2;  // a plain thread sleeps on the futex
  static constexpr std::uint32_t fiber_waiting = 3;    // `waiter` is suspended
  static constexpr std::uint32_t abandoned = 4;        // the caller returned at its deadline
  static constexpr std::uint32_t completing = 5;       // the environment is handing over

  EnvironmentSpec* spec = nullptr;  // what runs: a version
  PayloadView payload;
  Payload owned_payload;                        // set when the caller handed its bytes over
  std::string_view invoked_qualifier;           // engine-owned (a version or alias name)
  PerWorkerCounters* alias_counters = nullptr;  // also counts here when called via an alias
  std::string principal;
  std::string client_context;
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point deadline;
  std::uint32_t depth = 1;
  std::uint32_t attempt = 1;  // an Event invocation's attempt (1 for the first)
  // This invocation's trace, `span_id` its own span (what its handler's calls continue), and
  // the span that called it (0: a trace's root).
  TraceContext trace;
  std::uint64_t parent_span = 0;
  ConcurrencySlot slot = ConcurrencySlot::unreserved;
  bool same_worker = false;          // the caller is a fiber on the environment's worker
  bool tail_log = false;             // keep the handler's log lines in `out.log_tail`
  EventCompletion* event = nullptr;  // set for an Event invocation: no caller waits
  BatchCall* batch = nullptr;        // set for a mapping's batch: the caller waits untimed

  InvokeOutput out;

  std::atomic<std::uint32_t> state{pending};
  /// Nanoseconds of a cold start's init that do not count against the timeout, for a caller
  /// waiting past `deadline` as it was at dispatch; `init_running` until the init ends.
  static constexpr std::int64_t init_running = -1;
  std::atomic<std::int64_t> init_allowance{0};
  // A fiber caller. Used by the completer only after it won `completing` while the caller
  // was `fiber_waiting`: the caller is then suspended until woken, so it is alive.
  boost::fibers::context* waiter = nullptr;
};

}  // namespace nanofaas::detail
