#include "core/concurrency.hpp"

#include <string>

#include "common/fail.hpp"

namespace nanofaas::detail {

Expected<ConcurrencySlot> Concurrency::acquire(Function& fn, Version& v) {
  const std::int64_t reserved = fn.reserved.load(std::memory_order_relaxed);
  const std::uint32_t before = fn.in_flight.fetch_add(1, std::memory_order_acq_rel);
  if (reserved >= 0) {
    if (before >= static_cast<std::uint64_t>(reserved)) {
      fn.in_flight.fetch_sub(1, std::memory_order_relaxed);
      v.counters.throttles.fetch_add(1, std::memory_order_relaxed);
      return fail(Errc::too_many_requests, "Rate Exceeded.",
                  ThrottleReason::reserved_function_concurrent_invocation_limit_exceeded);
    }
    return ConcurrencySlot::reserved;
  }
  // The function's provisioned slots first, then the pool it shares.
  const std::uint32_t provisioned = fn.provisioned_total.load(std::memory_order_relaxed);
  if (provisioned != 0) {
    if (fn.provisioned_in_flight.fetch_add(1, std::memory_order_acq_rel) < provisioned) {
      v.counters.provisioned_concurrent.fetch_add(1, std::memory_order_relaxed);
      return ConcurrencySlot::provisioned;
    }
    fn.provisioned_in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  if (unreserved_in_flight_.fetch_add(1, std::memory_order_acq_rel) >= unreserved_pool()) {
    unreserved_in_flight_.fetch_sub(1, std::memory_order_relaxed);
    fn.in_flight.fetch_sub(1, std::memory_order_relaxed);
    v.counters.throttles.fetch_add(1, std::memory_order_relaxed);
    return fail(Errc::too_many_requests, "Rate Exceeded.",
                ThrottleReason::concurrent_invocation_limit_exceeded);
  }
  return ConcurrencySlot::unreserved;
}

void Concurrency::release(Version& v, ConcurrencySlot slot) noexcept {
  Function& fn = *v.function;
  if (slot == ConcurrencySlot::unreserved) {
    unreserved_in_flight_.fetch_sub(1, std::memory_order_release);
  } else if (slot == ConcurrencySlot::provisioned) {
    v.counters.provisioned_concurrent.fetch_sub(1, std::memory_order_relaxed);
    fn.provisioned_in_flight.fetch_sub(1, std::memory_order_release);
  }
  fn.in_flight.fetch_sub(1, std::memory_order_release);
}

bool Concurrency::still_fits(const Function& fn, ConcurrencySlot slot) const noexcept {
  const std::int64_t reserved = fn.reserved.load(std::memory_order_relaxed);
  if (reserved >= 0) {
    return slot == ConcurrencySlot::reserved &&
           fn.in_flight.load(std::memory_order_relaxed) <= static_cast<std::uint64_t>(reserved);
  }
  if (slot == ConcurrencySlot::provisioned) {
    return fn.provisioned_in_flight.load(std::memory_order_relaxed) <=
           fn.provisioned_total.load(std::memory_order_relaxed);
  }
  return slot == ConcurrencySlot::unreserved &&
         unreserved_in_flight_.load(std::memory_order_relaxed) <= unreserved_pool();
}

Status Concurrency::reserve(Function& fn, std::optional<std::uint32_t> reserved) {
  std::lock_guard lock(mutex_);
  std::unique_lock fn_lock(fn.mutex);
  const std::int64_t old = fn.reserved.load();
  const std::uint32_t provisioned = fn.provisioned_total.load();
  const std::uint64_t old_amount = old < 0 ? 0 : static_cast<std::uint64_t>(old);
  const std::uint64_t total = total_reserved_.load() - old_amount + reserved.value_or(0);
  // Without a reservation, the function's provisioned concurrency is its own share of the
  // unreserved pool; with one, it lies within the reservation.
  std::uint64_t unreserved_provisioned = provisioned_unreserved_.load();
  if (old < 0) unreserved_provisioned -= provisioned;
  if (!reserved) unreserved_provisioned += provisioned;
  if (!leaves_minimum(total, unreserved_provisioned)) {
    return fail(Errc::invalid_argument,
                "Specified ReservedConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of [" +
                    std::to_string(unreserved_min_) + "]");
  }
  if (reserved && provisioned > *reserved) {
    return fail(Errc::invalid_argument,
                "reserved concurrency below the function's provisioned concurrency (" +
                    std::to_string(provisioned) + ")");
  }
  total_reserved_.store(static_cast<std::uint32_t>(total));
  provisioned_unreserved_.store(static_cast<std::uint32_t>(unreserved_provisioned));
  fn.reserved.store(reserved ? static_cast<std::int64_t>(*reserved) : -1);
  return {};
}

Expected<std::uint32_t> Concurrency::provision(Function& fn, Version& v, std::uint32_t count) {
  std::lock_guard lock(mutex_);
  std::unique_lock fn_lock(fn.mutex);
  const std::uint32_t previous = v.pool.provisioned_target.load();
  const std::uint32_t old_total = fn.provisioned_total.load();
  const std::uint64_t total = old_total - previous + count;
  const std::int64_t reserved = fn.reserved.load();
  if (reserved >= 0 && total > static_cast<std::uint64_t>(reserved)) {
    return fail(Errc::invalid_argument, "provisioned concurrency " + std::to_string(total) +
                                            " exceeds the function's reserved concurrency " +
                                            std::to_string(reserved));
  }
  const std::uint64_t unreserved_provisioned =
      reserved >= 0 ? provisioned_unreserved_.load()
                    : provisioned_unreserved_.load() - old_total + total;
  if (reserved < 0 && !leaves_minimum(total_reserved_.load(), unreserved_provisioned)) {
    return fail(Errc::invalid_argument,
                "Requested Provisioned Concurrency should not be greater than the "
                "UnreservedConcurrentExecution less its minimum of [" +
                    std::to_string(unreserved_min_) + "]: " + std::to_string(total) +
                    " asked for the function, " + std::to_string(unreserved_pool() + old_total) +
                    " unreserved");
  }
  fn.provisioned_total.store(static_cast<std::uint32_t>(total));
  provisioned_unreserved_.store(static_cast<std::uint32_t>(unreserved_provisioned));
  v.pool.provisioned_target.store(count);
  return previous;
}

}  // namespace nanofaas::detail
