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

AtomicHistogram::Chunk* AtomicHistogram::make_chunk(std::size_t index) noexcept {
  Chunk* fresh = new (std::nothrow) Chunk();
  return fresh != nullptr ? publish(chunks_[index], fresh) : nullptr;
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
