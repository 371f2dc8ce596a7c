#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "nanofaas/duration_histogram.hpp"

namespace nanofaas::detail {

/// A `DurationHistogram` that many threads record into without a lock. Its buckets are
/// allocated a power of two at a time, on the first sample there (512 bytes each), so a steady
/// stream of samples allocates nothing.
class AtomicHistogram {
 public:
  AtomicHistogram() = default;
  ~AtomicHistogram();
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  /// `sole_writer`: the calling thread is the only one recording here (no locked add needed).
  void record(std::chrono::nanoseconds value, bool sole_writer = false) noexcept;
  /// Adds the counts and the exact sum to `out`.
  void read_into(DurationHistogram& out) const;

 private:
  struct Chunk {
    std::array<std::atomic<std::uint64_t>, DurationHistogram::sub_buckets> counts{};
  };
  // The chunk for `index`, made on first use; null when memory ran out (the sample is lost).
  Chunk* chunk(std::size_t index) noexcept;

  std::array<std::atomic<Chunk*>, DurationHistogram::chunk_count> chunks_{};
  std::atomic<std::uint64_t> sum_ns_{0};  // unsigned: wraps after 584 years, never undefined
};

}  // namespace nanofaas::detail
