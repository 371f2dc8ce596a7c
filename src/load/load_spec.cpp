#include <cmath>
#include <string>

#include "nanofaas/load_generator.hpp"

namespace nanofaas {

namespace {

Status invalid(std::string message) {
  return Unexpected(Error{.code = Errc::invalid_argument, .message = std::move(message)});
}

}  // namespace

Status LoadSpec::validate() const {
  // Bounds that keep every schedule computation within 64-bit nanoseconds.
  constexpr std::int64_t max_span_ns = 1'000'000'000'000'000'000;  // ~31 years
  constexpr std::uint64_t max_count = 1'000'000'000'000'000;       // 1e15 events
  if (!std::isfinite(rate) || rate < 0 || rate > 1e9 || (rate > 0 && rate < 1e-3)) {
    return invalid("rate: events per second must be 0 (closed loop) or finite within [0.001, 1e9]");
  }
  if (duration.count() < 0) return invalid("duration: must not be negative");
  if ((duration.count() > 0) == (count > 0)) {
    return invalid("duration, count: set exactly one of them (the other 0)");
  }
  if (warmup.count() < 0) return invalid("warmup: must not be negative");
  if (duration.count() > max_span_ns || warmup.count() > max_span_ns - duration.count()) {
    return invalid("duration, warmup: together at most 1e18 ns");
  }
  if (count > max_count) return invalid("count: at most 1e15 events");
  if (rate > 0 && static_cast<double>(count) / rate * 1e9 > static_cast<double>(max_span_ns)) {
    return invalid("count, rate: the schedule would last more than 1e18 ns");
  }
  if (concurrency == 0) return invalid("concurrency: must be at least 1");
  if (mode == InvocationMode::sync && concurrency > 1024) {
    return invalid("concurrency: at most 1024 driver threads in sync mode");
  }
  if (concurrency > 1'000'000) return invalid("concurrency: at most 1,000,000 calls in flight");
  if (clock == nullptr) return invalid("clock: must not be null");
  return {};
}

}  // namespace nanofaas
