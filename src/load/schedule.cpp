#include "load/schedule.hpp"

#include <cmath>

namespace nanofaas::detail {

OpenSchedule::OpenSchedule(const LoadSpec& spec) noexcept
    : period_ns_(1e9 / spec.rate), warmup_events_(first_due_from(spec.warmup.count())) {
  end_ = spec.count > 0 ? warmup_events_ + spec.count
                        : first_due_from(spec.warmup.count() + spec.duration.count());
}

std::uint64_t OpenSchedule::first_due_from(std::int64_t ns) const noexcept {
  // The division's rounding can be off by one either way; `offset_ns` is the reference, so
  // that an event is measured exactly when its due time is past the warm-up.
  auto i = static_cast<std::uint64_t>(std::ceil(static_cast<double>(ns) / period_ns_));
  while (i > 0 && offset_ns(i - 1) >= ns) --i;
  while (offset_ns(i) < ns) ++i;
  return i;
}

}  // namespace nanofaas::detail
