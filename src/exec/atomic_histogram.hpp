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
  void record(std::chrono::nanoseconds value, bool sole_writer = false) noexcept {
    const std::int64_t ns = value.count() < 0 ? 0 : value.count();
    const std::size_t bucket = DurationHistogram::bucket_of(ns);
    const std::size_t index = bucket / DurationHistogram::sub_buckets;
    Chunk* c = chunks_[index].load(std::memory_order_acquire);
    if (c == nullptr && (c = make_chunk(index)) == nullptr) return;  // no memory: lost
    auto& count = c->counts[bucket % DurationHistogram::sub_buckets];
    const auto add = static_cast<std::uint64_t>(ns);
    if (sole_writer) {
      count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + add, std::memory_order_relaxed);
    } else {
      count.fetch_add(1, std::memory_order_relaxed);
      sum_ns_.fetch_add(add, std::memory_order_relaxed);
    }
  }
  /// Adds the counts and the exact sum to `out`.
  void read_into(DurationHistogram& out) const;

 private:
  struct Chunk {
    std::array<std::atomic<std::uint64_t>, DurationHistogram::sub_buckets> counts{};
  };
  // Makes the chunk for `index` (or takes the one another thread made first); null when
  // memory ran out.
  Chunk* make_chunk(std::size_t index) noexcept;

  std::array<std::atomic<Chunk*>, DurationHistogram::chunk_count> chunks_{};
  std::atomic<std::uint64_t> sum_ns_{0};  // unsigned: wraps after 584 years, never undefined
};

}  // namespace nanofaas::detail
