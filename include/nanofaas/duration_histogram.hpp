#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// A latency distribution in log-linear buckets: exact below 64 ns, then 64 buckets per power of
/// two up to ~9.8 hours (larger values count in the last bucket). A percentile is its bucket's
/// midpoint, within 0.8% of the sample at that rank. Memory grows with the powers of two the
/// samples span (512 bytes each): an empty histogram allocates nothing.
class NANOFAAS_API DurationHistogram {
 public:
  static constexpr std::size_t sub_bits = 6;
  static constexpr std::size_t sub_buckets = std::size_t{1} << sub_bits;
  static constexpr std::size_t chunk_count = 40;  ///< chunk 0: 0-63 ns; chunk j: [2^(j+5), 2^(j+6))
  static constexpr std::size_t bucket_count = sub_buckets * chunk_count;

  /// Counts one sample (a negative one as zero) `times` times.
  void record(std::chrono::nanoseconds value, std::uint64_t times = 1);
  /// Adds `times` samples to `bucket`, leaving the sum to `add_to_sum` (for a caller that keeps
  /// counts per bucket and an exact sum of its own).
  void add_to_bucket(std::size_t bucket, std::uint64_t times);
  void add_to_sum(std::chrono::nanoseconds value) noexcept;
  /// Adds another histogram's counts and sum.
  void merge(const DurationHistogram& other);
  /// Number of samples.
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  /// Samples in one bucket.
  [[nodiscard]] std::uint64_t count_in(std::size_t bucket) const noexcept;
  /// Samples at most `bound`, to within one bucket: the samples of `bound`'s own bucket all
  /// count (up to 1.6% above it), as a Prometheus `le` bucket needs an upper bound.
  [[nodiscard]] std::uint64_t count_at_most(std::chrono::nanoseconds bound) const noexcept;
  /// Sum of the samples (exact when recorded with `record`).
  [[nodiscard]] std::chrono::nanoseconds sum() const noexcept { return sum_; }
  /// The sample at rank `q` (0..1) of the sorted samples, to within 0.8% (its bucket's midpoint).
  [[nodiscard]] std::chrono::nanoseconds percentile(double q) const noexcept;
  [[nodiscard]] std::chrono::nanoseconds p50() const noexcept { return percentile(0.50); }
  [[nodiscard]] std::chrono::nanoseconds p99() const noexcept { return percentile(0.99); }

  /// Bucket index of a value in nanoseconds, and the smallest and largest values it holds.
  [[nodiscard]] static constexpr std::size_t bucket_of(std::int64_t ns) noexcept {
    if (ns < static_cast<std::int64_t>(sub_buckets)) {
      return ns < 0 ? 0 : static_cast<std::size_t>(ns);
    }
    const auto v = static_cast<std::uint64_t>(ns);
    const auto k = static_cast<std::size_t>(std::bit_width(v)) - 1;  // v in [2^k, 2^(k+1)), k >= 6
    const std::size_t index =
        (k - sub_bits + 1) * sub_buckets + ((v >> (k - sub_bits)) - sub_buckets);
    return index < bucket_count ? index : bucket_count - 1;
  }
  [[nodiscard]] static std::int64_t bucket_lower(std::size_t bucket) noexcept;
  [[nodiscard]] static std::int64_t bucket_upper(std::size_t bucket) noexcept;
  /// The value a percentile reports for a bucket: the middle of its range.
  [[nodiscard]] static std::int64_t bucket_midpoint(std::size_t bucket) noexcept;

 private:
  using Chunk = std::array<std::uint64_t, sub_buckets>;
  // The chunk for `chunk`, added in order if absent.
  Chunk& chunk(std::size_t index);

  std::uint64_t present_ = 0;  // bit j: chunk j is in chunks_
  std::vector<Chunk> chunks_;  // the present chunks, in ascending order
  std::uint64_t count_ = 0;
  std::chrono::nanoseconds sum_{0};
};

}  // namespace nanofaas
