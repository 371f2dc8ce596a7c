#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "nanofaas/clock.hpp"

namespace nanofaas::fuzz {

/// A clock the fuzz targets move by hand, also backwards (the queue copes with that).
class ManualClock final : public Clock {
 public:
  time_point now() const noexcept override {
    return time_point(std::chrono::nanoseconds(ns_.load(std::memory_order_relaxed)));
  }
  void advance(std::chrono::nanoseconds d) noexcept {
    ns_.fetch_add(d.count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> ns_{std::int64_t{1'000'000} * 1'000'000'000};  // 11.6 days in
};

}  // namespace nanofaas::fuzz
