#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas {

/// A stream mapping's tumbling window (Lambda's `TumblingWindowInSeconds`): the window the
/// batch's records arrived in, and the state the previous invocation of this window returned.
struct TumblingWindow {
  Clock::time_point start{};
  Clock::time_point end{};
  /// What the handler returned with `Response::with_state` last time in this window (empty at
  /// the window's first invocation).
  std::string_view state{};
  /// The window is over: this invocation has no records and its state is the window's result.
  bool is_final_invoke_for_window = false;
  /// Lambda's `isWindowTerminatedEarly`; false in-process (windows end on time only).
  bool is_window_terminated_early = false;
};

/// The records an event source mapping hands to its function in one invocation, as views into
/// the source's memory: valid until the handler returns.
struct Batch {
  std::span<const Record> records{};
  /// The source's name (Lambda's `eventSourceARN`) and kind.
  std::string_view source{};
  SourceKind kind = SourceKind::queue;
  /// The shard (streams; 0 for queues).
  std::uint32_t shard = 0;
  /// Set when the mapping has a tumbling window.
  const TumblingWindow* window = nullptr;
};

}  // namespace nanofaas
