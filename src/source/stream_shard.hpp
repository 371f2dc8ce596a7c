#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/trace_context.hpp"
#include "runtime/spinlock.hpp"
#include "source/id_counter.hpp"
#include "source/listener_set.hpp"

namespace nanofaas::detail {

/// A stream's record ids, its sequence number in decimal, fit in this many bytes.
inline constexpr std::size_t stream_id_capacity = 23;

/// One record of a stream. `data` is alive exactly while the record is retained (constructed
/// and destroyed by the shard: no empty payloads are made or freed on the hot path).
struct StreamEntry {
  StreamEntry() noexcept {}  // leaves `data` unconstructed
  ~StreamEntry() {}
  StreamEntry(const StreamEntry&) = delete;
  StreamEntry& operator=(const StreamEntry&) = delete;

  union {
    Payload data;
  };
  std::string key{};
  Clock::time_point arrival{};
  TraceContext trace{};  // the sender's (`Record::trace`)
  std::uint8_t id_size = 0;
  char id[stream_id_capacity]{};  // the sequence number in decimal: Record::id views it
};

/// One reader's position in one shard, guarded by the shard's lock.
struct StreamCursor {
  std::uint64_t next = 1;        // the next sequence number to poll
  std::uint64_t checkpoint = 0;  // processed up to here
  std::uint64_t polled = 0;      // the highest sequence number polled
};

/// One shard of a stream: its retained records, numbered from 1, in chunks that never move
/// (polled records' views survive appends and trims of others), its readers' cursors and a
/// copy of the listeners (producers on different shards share no reference count). Lock it
/// (it is Lockable) around every other member.
class alignas(64) StreamShard {
 public:
  StreamShard() = default;
  ~StreamShard();
  StreamShard(const StreamShard&) = delete;
  StreamShard& operator=(const StreamShard&) = delete;

  void lock() noexcept { lock_.lock(); }
  void unlock() noexcept { lock_.unlock(); }

  /// The oldest retained record.
  [[nodiscard]] std::uint64_t first() const noexcept { return first_; }
  /// The sequence number the next record gets.
  [[nodiscard]] std::uint64_t next() const noexcept { return next_; }
  /// Records retained.
  [[nodiscard]] std::uint64_t retained() const noexcept { return next_ - first_; }
  /// The retained record `sequence`, from `first()` to before `next()`.
  StreamEntry& at(std::uint64_t sequence) noexcept {
    const std::uint64_t k = sequence - 1;
    return ring_[(k / chunk_size) & ring_mask_]->entries[k % chunk_size];
  }

  /// Appends a record; returns its sequence number.
  std::uint64_t append(std::string_view key, Payload&& data, Clock::time_point arrival,
                       const TraceContext& trace) {
    if ((next_ - 1) % chunk_size == 0) new_chunk();
    StreamEntry& e = at(next_);
    new (&e.data) Payload(std::move(data));
    e.key.assign(key);
    e.arrival = arrival;
    e.trace = trace;
    e.id_size = next_id_.copy_to(e.id);
    next_id_.advance();
    return next_++;
  }

  /// Drops records past retention, except those a reader polled and has not checkpointed.
  void trim(Clock::time_point now, std::chrono::nanoseconds retention) noexcept {
    if (first_ == next_) return;
    const Clock::time_point horizon = now - retention;
    if (at(first_).arrival > horizon) return;
    std::uint64_t floor = std::numeric_limits<std::uint64_t>::max();
    for (const StreamCursor* c : cursors_) {
      if (c->polled > c->checkpoint) floor = std::min(floor, c->checkpoint + 1);
    }
    while (first_ < next_ && first_ < floor && at(first_).arrival <= horizon) drop_front();
  }

  /// The first retained record that arrived at or after `t`, or `next()`.
  [[nodiscard]] std::uint64_t find(Clock::time_point t) noexcept;

  /// Readers' cursors, which hold back trimming.
  void add_cursor(StreamCursor* c) { cursors_.push_back(c); }
  void remove_cursor(StreamCursor* c) noexcept { std::erase(cursors_, c); }

  /// The listeners to call after an append.
  [[nodiscard]] const std::shared_ptr<const Listeners>& listeners() const noexcept {
    return listeners_;
  }
  /// Swaps in new listeners; `list` gets the old ones, to release after the lock.
  void swap_listeners(std::shared_ptr<const Listeners>& list) noexcept { listeners_.swap(list); }

 private:
  static constexpr std::size_t chunk_size = 256;
  struct Chunk {
    StreamEntry entries[chunk_size];
  };

  static std::uint64_t chunk_of(std::uint64_t sequence) noexcept {
    return (sequence - 1) / chunk_size;
  }
  [[gnu::noinline]] void new_chunk();
  void drop_front() noexcept {
    StreamEntry& e = at(first_);
    e.data.~Payload();
    e.key.clear();
    ++first_;
    if ((first_ - 1) % chunk_size == 0) {  // the oldest chunk is empty now
      auto& chunk = ring_[(chunk_of(first_) - 1) & ring_mask_];
      if (!spare_) spare_ = std::move(chunk);
      chunk.reset();
    }
  }

  YieldingSpinlock lock_;
  // Chunk number c (sequence numbers 256c+1 ... 256c+256) is at ring_[c & ring_mask_]; the
  // ring holds the chunks from the oldest retained record's to the newest's.
  std::vector<std::unique_ptr<Chunk>> ring_ = std::vector<std::unique_ptr<Chunk>>(4);
  std::uint64_t ring_mask_ = 3;
  std::unique_ptr<Chunk> spare_;  // the last chunk trimmed, reused by the next append
  std::uint64_t first_ = 1;
  std::uint64_t next_ = 1;
  IdCounter<stream_id_capacity> next_id_;  // `next_` in decimal
  std::vector<StreamCursor*> cursors_;     // open readers' positions
  std::shared_ptr<const Listeners> listeners_;
};

}  // namespace nanofaas::detail
