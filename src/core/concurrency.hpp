#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "core/function.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// Lambda's concurrency accounting in one place: the account limit, reservations (a
/// function's guarantee and cap), the unreserved pool the others share, and provisioned
/// concurrency within them. Slots are taken and released lock-free on the call path;
/// configuration changes are serialised.
class Concurrency {
 public:
  Concurrency(std::uint32_t limit, std::uint32_t unreserved_min) noexcept
      : limit_(limit), unreserved_min_(unreserved_min) {}

  /// Takes a slot for an invocation of `fn`, or fails with `too_many_requests` and the
  /// reason (counted in `version`'s throttles).
  Expected<ConcurrencySlot> acquire(Function& fn, Version& version);
  void release(Version& v, ConcurrencySlot slot) noexcept;
  /// True when a slot held by a finished invocation of `fn` may carry over to its next one
  /// (the reservation and the unreserved pool did not shrink below what is in flight).
  [[nodiscard]] bool still_fits(const Function& fn, ConcurrencySlot slot) const noexcept;

  /// Sets (or with nullopt removes) `fn`'s reservation: `invalid_argument` when the
  /// unreserved pool would drop below its minimum, or below `fn`'s provisioned concurrency.
  Status reserve(Function& fn, std::optional<std::uint32_t> reserved);
  /// Sets `version`'s provisioned concurrency to `count`: `invalid_argument` when the
  /// function's total would exceed its reservation, or (without one) leave the unreserved
  /// pool below its minimum. Returns the previous count.
  Expected<std::uint32_t> provision(Function& fn, Version& version, std::uint32_t count);

  /// What functions without a reservation share: the limit less every reservation and the
  /// provisioned concurrency of functions without one.
  [[nodiscard]] std::uint32_t unreserved_pool() const noexcept {
    return limit_ - total_reserved_.load(std::memory_order_relaxed) -
           provisioned_unreserved_.load(std::memory_order_relaxed);
  }
  /// Invocations in flight of functions without a reservation.
  [[nodiscard]] std::uint32_t unreserved_in_flight() const noexcept {
    return unreserved_in_flight_.load(std::memory_order_relaxed);
  }

 private:
  const std::uint32_t limit_;
  const std::uint32_t unreserved_min_;
  std::mutex mutex_;  // serialises reservation and provisioning changes
  std::atomic<std::uint32_t> unreserved_in_flight_{0};
  std::atomic<std::uint32_t> total_reserved_{0};
  std::atomic<std::uint32_t> provisioned_unreserved_{0};  // of functions without a reservation
  // Whether reservations and provisioning of this size leave the unreserved minimum.
  [[nodiscard]] bool leaves_minimum(std::uint64_t reserved,
                                    std::uint64_t provisioned) const noexcept {
    return reserved + provisioned + unreserved_min_ <= limit_;
  }
};

}  // namespace nanofaas::detail
