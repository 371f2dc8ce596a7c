#include "nanofaas/metrics.hpp"

#include <bit>

#include "exec/counters.hpp"

namespace nanofaas {

std::size_t DurationHistogram::bucket_of(std::int64_t ns) noexcept {
  if (ns < static_cast<std::int64_t>(sub_buckets)) return ns < 0 ? 0 : static_cast<std::size_t>(ns);
  const auto v = static_cast<std::uint64_t>(ns);
  const int k = std::bit_width(v) - 1;  // v in [2^k, 2^(k+1)), k >= 4
  const std::size_t index = static_cast<std::size_t>(k - 3) * sub_buckets +
                            static_cast<std::size_t>((v >> (k - 4)) - sub_buckets);
  return index < bucket_count ? index : bucket_count - 1;
}

std::int64_t DurationHistogram::bucket_upper(std::size_t bucket) noexcept {
  if (bucket < sub_buckets) return static_cast<std::int64_t>(bucket);
  const std::size_t k = bucket / sub_buckets + 3;
  const std::size_t sub = bucket % sub_buckets;
  return static_cast<std::int64_t>(((sub_buckets + sub + 1) << (k - 4)) - 1);
}

void DurationHistogram::merge(const DurationHistogram& other) noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
  sum_ += other.sum_;
}

std::uint64_t DurationHistogram::count() const noexcept {
  std::uint64_t n = 0;
  for (auto c : counts_) n += c;
  return n;
}

std::uint64_t DurationHistogram::count_at_most(std::chrono::nanoseconds bound) const noexcept {
  if (bound.count() < 0) return 0;
  const std::size_t last = bucket_of(bound.count());
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= last; ++i) n += counts_[i];
  return n;
}

std::chrono::nanoseconds DurationHistogram::percentile(double q) const noexcept {
  const std::uint64_t n = count();
  if (n == 0) return std::chrono::nanoseconds(0);
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n));
  if (rank >= n) rank = n - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen > rank) return std::chrono::nanoseconds(bucket_upper(i));
  }
  return std::chrono::nanoseconds(bucket_upper(bucket_count - 1));
}

const FunctionMetrics* MetricsSnapshot::find(std::string_view function_name,
                                             std::string_view version) const& noexcept {
  for (const auto& f : functions) {
    if (f.function_name == function_name && f.version == version) return &f;
  }
  return nullptr;
}

std::optional<FunctionMetrics> MetricsSnapshot::find(std::string_view function_name,
                                                     std::string_view version) && {
  for (auto& f : functions) {
    if (f.function_name == function_name && f.version == version) return std::move(f);
  }
  return std::nullopt;
}

namespace detail {

void AtomicHistogram::record(std::chrono::nanoseconds value) noexcept {
  buckets_[DurationHistogram::bucket_of(value.count())].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(value.count() < 0 ? 0 : value.count(), std::memory_order_relaxed);
}

void AtomicHistogram::read_into(DurationHistogram& out) const noexcept {
  for (std::size_t i = 0; i < DurationHistogram::bucket_count; ++i) {
    out.counts()[i] += buckets_[i].load(std::memory_order_relaxed);
  }
  out.sum() += std::chrono::nanoseconds(sum_ns_.load(std::memory_order_relaxed));
}

}  // namespace detail
}  // namespace nanofaas
