#include "source/stream_state.hpp"

#include <utility>

namespace nanofaas::detail {

StreamState::StreamState(StreamConfig config)
    : config_(std::move(config)), shards_(std::make_unique<StreamShard[]>(config_.shards)) {}

void StreamState::set_listener(const void* reader, std::function<void()> listener) {
  std::lock_guard guard(listener_mutex_);
  listener_set_.set(reader, std::move(listener));
  for (std::uint32_t s = 0; s < config_.shards; ++s) {
    std::shared_ptr<const Listeners> list = listener_set_.snapshot();
    {
      std::lock_guard shard_guard(shards_[s]);
      shards_[s].swap_listeners(list);
    }
    // `list` now holds the old snapshot, released outside the shard's lock.
  }
}

}  // namespace nanofaas::detail
