#include "exec/atomic_histogram.hpp"

#include <limits>
#include <new>

#include "common/publish_once.hpp"

namespace nanofaas::detail {

namespace {

template <class T>
T* publish(std::atomic<T*>& slot, T* fresh) noexcept {
  return publish_once(slot, fresh, [](T* loser) { delete loser; });
}

}  // namespace

AtomicHistogram::~AtomicHistogram() {
  for (auto& c : chunks_) delete c.load(std::memory_order_acquire);
}

AtomicHistogram::Chunk* AtomicHistogram::chunk(std::size_t index) noexcept {
  Chunk* c = chunks_[index].load(std::memory_order_acquire);
  if (c != nullptr) return c;
  Chunk* fresh = new (std::nothrow) Chunk();
  return fresh != nullptr ? publish(chunks_[index], fresh) : nullptr;
}

void AtomicHistogram::record(std::chrono::nanoseconds value, bool sole_writer) noexcept {
  const std::int64_t ns = value.count() < 0 ? 0 : value.count();
  const std::size_t bucket = DurationHistogram::bucket_of(ns);
  Chunk* c = chunk(bucket / DurationHistogram::sub_buckets);
  if (c == nullptr) return;
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

void AtomicHistogram::read_into(DurationHistogram& out) const {
  for (std::size_t j = 0; j < DurationHistogram::chunk_count; ++j) {
    const Chunk* c = chunks_[j].load(std::memory_order_acquire);
    if (c == nullptr) continue;
    for (std::size_t i = 0; i < DurationHistogram::sub_buckets; ++i) {
      out.add_to_bucket(j * DurationHistogram::sub_buckets + i,
                        c->counts[i].load(std::memory_order_relaxed));
    }
  }
  const std::uint64_t sum = sum_ns_.load(std::memory_order_relaxed);
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  out.add_to_sum(std::chrono::nanoseconds(static_cast<std::int64_t>(sum < max ? sum : max)));
}

}  // namespace nanofaas::detail
