#pragma once

#include <cstdint>

#include "nanofaas/load_generator.hpp"

namespace nanofaas::detail {

/// A one-line progress bar on stderr, redrawn at most every 100 ms; silent unless the spec
/// asks for it and stderr is a terminal. Used by one driver thread.
class ProgressBar {
 public:
  ProgressBar(const LoadSpec& spec, std::int64_t record_from_ns);

  /// Redraws if due; `measured_sent` drives the bar in count mode.
  void tick(std::int64_t now_ns, std::uint64_t measured_sent) {
    if (enabled_ && now_ns >= next_draw_ns_) draw(now_ns, measured_sent, false);
  }
  /// Draws the last state and ends the line (sending is over; completions may be pending).
  void finish(std::int64_t now_ns, std::uint64_t measured_sent) {
    if (enabled_) draw(now_ns, measured_sent, true);
  }

 private:
  void draw(std::int64_t now_ns, std::uint64_t measured_sent, bool last);

  bool enabled_;
  std::int64_t record_from_ns_;
  std::int64_t duration_ns_;
  std::uint64_t count_;
  std::int64_t next_draw_ns_ = 0;
};

}  // namespace nanofaas::detail
