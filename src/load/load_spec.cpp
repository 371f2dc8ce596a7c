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
  if (!std::isfinite(rate) || rate < 0 || rate > 1e9) {
    return invalid("rate: events per second must be finite and within [0, 1e9] (0: closed loop)");
  }
  if (duration.count() < 0) return invalid("duration: must not be negative");
  if ((duration.count() > 0) == (count > 0)) {
    return invalid("duration, count: set exactly one of them (the other 0)");
  }
  if (warmup.count() < 0) return invalid("warmup: must not be negative");
  if (concurrency == 0) return invalid("concurrency: must be at least 1");
  if (mode == InvocationMode::sync && concurrency > 1024) {
    return invalid("concurrency: at most 1024 driver threads in sync mode");
  }
  if (clock == nullptr) return invalid("clock: must not be null");
  return {};
}

}  // namespace nanofaas
