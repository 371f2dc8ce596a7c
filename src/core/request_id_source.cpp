#include "core/request_id_source.hpp"

#include <random>

namespace nanofaas::detail {

RequestIdSource::RequestIdSource() {
  std::random_device rd;
  prefix_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

RequestId RequestIdSource::next() noexcept {
  struct Block {
    const RequestIdSource* owner = nullptr;
    std::uint64_t next = 0;
    std::uint64_t end = 0;
  };
  thread_local Block block;
  if (block.owner != this || block.next == block.end) {
    constexpr std::uint64_t block_size = 1u << 16;
    const std::uint64_t b = next_block_.fetch_add(1, std::memory_order_relaxed);
    block = {this, b * block_size, (b + 1) * block_size};
  }
  const std::uint64_t n = block.next++;
  // Mix so that ids do not look sequential; still unique (the mix is a bijection of n).
  std::uint64_t z = n + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return RequestId{prefix_, z};
}

}  // namespace nanofaas::detail
