#pragma once

#include <cstdint>

#include "nanofaas/load_generator.hpp"

namespace nanofaas::detail {

/// An open loop's timetable: event i is due `offset_ns(i)` after the start, whether or not
/// earlier events have completed. Events [0, warmup_events()) are the warm-up; the run sends
/// events [0, end()).
class OpenSchedule {
 public:
  /// For a valid spec with `rate` > 0.
  explicit OpenSchedule(const LoadSpec& spec) noexcept;

  [[nodiscard]] std::int64_t offset_ns(std::uint64_t i) const noexcept {
    return static_cast<std::int64_t>(static_cast<double>(i) * period_ns_);
  }
  [[nodiscard]] std::uint64_t warmup_events() const noexcept { return warmup_events_; }
  [[nodiscard]] std::uint64_t end() const noexcept { return end_; }

 private:
  // The first event due at or after `ns` from the start.
  [[nodiscard]] std::uint64_t first_due_from(std::int64_t ns) const noexcept;

  double period_ns_;
  std::uint64_t warmup_events_;
  std::uint64_t end_;
};

}  // namespace nanofaas::detail
