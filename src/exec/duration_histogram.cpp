#include "nanofaas/duration_histogram.hpp"

#include <bit>
#include <limits>

namespace nanofaas {

namespace {

// A mask of the chunks below `index`.
std::uint64_t below(std::size_t index) noexcept {
  return (std::uint64_t{1} << index) - 1;
}

}  // namespace

std::int64_t DurationHistogram::bucket_lower(std::size_t bucket) noexcept {
  const std::size_t j = bucket / sub_buckets;
  const std::size_t sub = bucket % sub_buckets;
  if (j == 0) return static_cast<std::int64_t>(sub);
  return static_cast<std::int64_t>((sub_buckets + sub) << (j - 1));
}

std::int64_t DurationHistogram::bucket_upper(std::size_t bucket) noexcept {
  const std::size_t j = bucket / sub_buckets;
  if (j == 0) return bucket_lower(bucket);
  return bucket_lower(bucket) + static_cast<std::int64_t>(std::size_t{1} << (j - 1)) - 1;
}

std::int64_t DurationHistogram::bucket_midpoint(std::size_t bucket) noexcept {
  return bucket_lower(bucket) + (bucket_upper(bucket) - bucket_lower(bucket)) / 2;
}

DurationHistogram::Chunk& DurationHistogram::chunk(std::size_t index) {
  const auto slot = static_cast<std::size_t>(std::popcount(present_ & below(index)));
  if ((present_ >> index & 1) == 0) {
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(slot), Chunk{});
    present_ |= std::uint64_t{1} << index;
  }
  return chunks_[slot];
}

void DurationHistogram::record(std::chrono::nanoseconds value, std::uint64_t times) {
  const std::int64_t ns = value.count() < 0 ? 0 : value.count();
  add_to_bucket(bucket_of(ns), times);
  std::int64_t total = 0;
  if (times > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      __builtin_mul_overflow(ns, static_cast<std::int64_t>(times), &total)) {
    total = std::numeric_limits<std::int64_t>::max();
  }
  add_to_sum(std::chrono::nanoseconds(total));
}

void DurationHistogram::add_to_sum(std::chrono::nanoseconds value) noexcept {
  // Saturates: ~292 years of samples fit, and signed overflow is undefined.
  std::int64_t total = 0;
  if (__builtin_add_overflow(sum_.count(), value.count(), &total)) {
    total = value.count() < 0 ? 0 : std::numeric_limits<std::int64_t>::max();
  }
  sum_ = std::chrono::nanoseconds(total);
}

void DurationHistogram::add_to_bucket(std::size_t bucket, std::uint64_t times) {
  if (times == 0 || bucket >= bucket_count) return;
  chunk(bucket / sub_buckets)[bucket % sub_buckets] += times;
  count_ += times;
}

void DurationHistogram::merge(const DurationHistogram& other) {
  std::size_t slot = 0;
  for (std::size_t j = 0; j < chunk_count; ++j) {
    if ((other.present_ >> j & 1) == 0) continue;
    const Chunk& from = other.chunks_[slot++];
    Chunk& to = chunk(j);
    for (std::size_t i = 0; i < sub_buckets; ++i) to[i] += from[i];
  }
  count_ += other.count_;
  add_to_sum(other.sum_);
}

std::uint64_t DurationHistogram::count_in(std::size_t bucket) const noexcept {
  const std::size_t j = bucket / sub_buckets;
  if (bucket >= bucket_count || (present_ >> j & 1) == 0) return 0;
  const auto slot = static_cast<std::size_t>(std::popcount(present_ & below(j)));
  return chunks_[slot][bucket % sub_buckets];
}

std::uint64_t DurationHistogram::count_at_most(std::chrono::nanoseconds bound) const noexcept {
  if (bound.count() < 0) return 0;
  const std::size_t last = bucket_of(bound.count());
  std::uint64_t n = 0;
  std::size_t slot = 0;
  for (std::size_t j = 0; j <= last / sub_buckets; ++j) {
    if ((present_ >> j & 1) == 0) continue;
    const Chunk& c = chunks_[slot++];
    const std::size_t end = j == last / sub_buckets ? last % sub_buckets + 1 : sub_buckets;
    for (std::size_t i = 0; i < end; ++i) n += c[i];
  }
  return n;
}

std::chrono::nanoseconds DurationHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  const double clamped = q >= 0 ? (q <= 1 ? q : 1) : 0;  // NaN: 0
  auto rank = static_cast<std::uint64_t>(clamped * static_cast<double>(count_));
  if (rank >= count_) rank = count_ - 1;
  std::uint64_t seen = 0;
  std::size_t slot = 0;
  for (std::size_t j = 0; j < chunk_count; ++j) {
    if ((present_ >> j & 1) == 0) continue;
    const Chunk& c = chunks_[slot++];
    for (std::size_t i = 0; i < sub_buckets; ++i) {
      seen += c[i];
      if (seen > rank) return std::chrono::nanoseconds(bucket_midpoint(j * sub_buckets + i));
    }
  }
  return std::chrono::nanoseconds(bucket_midpoint(bucket_count - 1));
}

}  // namespace nanofaas
