#include "source/stream_shard.hpp"

#include <utility>

namespace nanofaas::detail {

StreamShard::~StreamShard() {
  for (std::uint64_t seq = first_; seq < next_; ++seq) at(seq).data.~Payload();
}

void StreamShard::new_chunk() {
  const std::uint64_t c = chunk_of(next_);
  const std::uint64_t oldest = first_ == next_ ? c : chunk_of(first_);
  if (c - oldest + 1 > ring_.size()) {
    std::vector<std::unique_ptr<Chunk>> bigger(ring_.size() * 2);
    const std::uint64_t mask = bigger.size() - 1;
    for (std::uint64_t k = oldest; k < c; ++k) bigger[k & mask] = std::move(ring_[k & ring_mask_]);
    ring_ = std::move(bigger);
    ring_mask_ = mask;
  }
  ring_[c & ring_mask_] = spare_ ? std::move(spare_) : std::make_unique<Chunk>();
}

// Records arrive in order, so arrival times never decrease.
std::uint64_t StreamShard::find(Clock::time_point t) noexcept {
  std::uint64_t lo = first_;
  std::uint64_t hi = next_;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (at(mid).arrival < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace nanofaas::detail
