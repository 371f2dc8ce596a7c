#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "nanofaas/stream.hpp"
#include "source/listener_set.hpp"
#include "source/stream_shard.hpp"

namespace nanofaas::detail {

/// A stream's shards and counters, shared by the `Stream` and its readers.
struct StreamState {
 public:
  explicit StreamState(StreamConfig config);

  [[nodiscard]] const StreamConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::uint32_t shard_count() const noexcept { return config_.shards; }
  /// Shard `s`, below `shard_count()`.
  [[nodiscard]] StreamShard& shard(std::uint32_t s) noexcept { return shards_[s]; }

  /// Counts records trimmed before a reader read them.
  void count_expired(std::uint64_t n) noexcept { expired_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t expired() const noexcept {
    return expired_.load(std::memory_order_relaxed);
  }

  /// Sets `reader`'s listener (an empty one removes it) and gives every shard a new copy.
  void set_listener(const void* reader, std::function<void()> listener);

 private:
  const StreamConfig config_;
  const std::unique_ptr<StreamShard[]> shards_;
  std::atomic<std::uint64_t> expired_{0};
  std::mutex listener_mutex_;
  ListenerSet listener_set_;
};

}  // namespace nanofaas::detail
