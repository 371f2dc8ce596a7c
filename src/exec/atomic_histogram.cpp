#include "exec/atomic_histogram.hpp"

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

AtomicHistogram::Chunk& AtomicHistogram::chunk(std::size_t index) noexcept {
  Chunk* c = chunks_[index].load(std::memory_order_acquire);
  return c != nullptr ? *c : *publish(chunks_[index], new Chunk());
}

void AtomicHistogram::record(std::chrono::nanoseconds value, bool sole_writer) noexcept {
  const std::int64_t ns = value.count() < 0 ? 0 : value.count();
  const std::size_t bucket = DurationHistogram::bucket_of(ns);
  auto& count = chunk(bucket / DurationHistogram::sub_buckets)
                    .counts[bucket % DurationHistogram::sub_buckets];
  if (sole_writer) {
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
  } else {
    count.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
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
  out.add_to_sum(std::chrono::nanoseconds(sum_ns_.load(std::memory_order_relaxed)));
}

}  // namespace nanofaas::detail
