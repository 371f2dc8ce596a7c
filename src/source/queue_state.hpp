#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanofaas/queue.hpp"
#include "runtime/spinlock.hpp"
#include "source/deadlines.hpp"
#include "source/deduplication_window.hpp"
#include "source/fifo_groups.hpp"
#include "source/id_counter.hpp"
#include "source/listener_set.hpp"
#include "source/slot_arena.hpp"
#include "source/slot_list.hpp"

namespace nanofaas::detail {

class RedriveBatch;

/// A queue's messages and their states behind one lock, shared by the `Queue` and its
/// readers. Polls give records whose handle is (generation << 32 | slot): a record
/// settles its message only while no later receive, nack, redrive or delete changed it.
struct QueueState {
 public:
  /// `dead_letters`: the dead-letter queue's state, set exactly with a redrive policy.
  QueueState(QueueConfig config, std::shared_ptr<QueueState> dead_letters);
  QueueState(const QueueState&) = delete;
  QueueState& operator=(const QueueState&) = delete;

  [[nodiscard]] const QueueConfig& config() const noexcept { return config_; }

  // Sending (queue_send.cpp). Each calls the listeners when a message became receivable.
  /// `Queue::send`: checks and adds a message; returns its id.
  Expected<std::string> send(Payload&& body, SendOptions&& options);
  /// `Queue::send_batch`: adds `bodies` in order under one lock until one cannot be sent;
  /// returns how many were.
  std::size_t send_batch(std::span<Payload> bodies, std::string_view group_id);
  /// Moves in a message from a queue whose redrive policy sends it here, taking `body` and
  /// `attributes`; false when full (then they are left alone). `from` keeps its id and arrival.
  bool accept_redrive(Payload& body, std::unique_ptr<std::vector<RecordAttribute>>& attributes,
                      const QueueSlot& from, const std::string* group_name);

  // Receiving (queue_poll.cpp).
  /// Receives up to `max` messages into `out`; moves those past maxReceiveCount to the
  /// dead-letter queue instead. Returns how many were received.
  std::size_t poll(std::size_t max, std::vector<Record>& out);

  // Settling receives (queue_settle.cpp).
  /// Deletes the messages of the records that are still their message's latest receive.
  void ack(std::span<const Record> records);
  /// Makes the records' in-flight messages visible again after `delay`.
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay);
  /// Ends the records' holds and leaves their messages as they are.
  void release(std::span<const Record> records);
  /// Keeps the records' in-flight messages invisible for `timeout` from now.
  void extend_visibility(std::span<const Record> records, std::chrono::nanoseconds timeout);

  /// Sets `reader`'s listener; an empty one removes it.
  void set_listener(const void* reader, std::function<void()> listener);
  /// Counts after applying the deadlines that passed.
  std::size_t approximate_visible();
  std::size_t approximate_in_flight();
  std::size_t approximate_delayed();

 private:
  // Holds the lock; publishes the hints when it lets go.
  class Guard {
   public:
    explicit Guard(QueueState& q) noexcept : q_(q) { q_.lock_.lock(); }
    ~Guard() {
      q_.publish();
      q_.lock_.unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    QueueState& q_;
  };

  void publish() noexcept {
    available_hint_.store(config_.fifo ? groups_.ready_count() : visible_,
                          std::memory_order_relaxed);
    next_due_hint_.store(deadlines_.earliest_ticks(slots_), std::memory_order_relaxed);
  }
  // True when a poll would find nothing; no lock. A send racing with it calls the listeners.
  bool surely_empty() const noexcept {
    if (available_hint_.load(std::memory_order_relaxed) != 0) return false;
    const std::int64_t due = next_due_hint_.load(std::memory_order_relaxed);
    return due == std::numeric_limits<std::int64_t>::max() ||
           config_.clock->now().time_since_epoch().count() < due;
  }
  bool full() const noexcept { return slots_.live() >= config_.max_messages; }
  // The deduplication ids are bounded as the messages are.
  bool deduplication_full() const noexcept { return deduplication_.size() >= config_.max_messages; }
  bool redrive_due(const QueueSlot& s) const noexcept {
    return config_.max_receive_count != 0 && s.receive_count >= config_.max_receive_count;
  }

  // queue_state.cpp
  bool make_visible(std::uint32_t i);
  void expire(Clock::time_point now);
  std::size_t count(const std::size_t QueueState::*counter);

  // queue_send.cpp
  [[gnu::always_inline]] inline std::uint32_t insert(
      Payload&& body, std::unique_ptr<std::vector<RecordAttribute>> attributes,
      std::string_view group_id, std::string_view id, Clock::time_point arrival,
      std::chrono::nanoseconds delay, std::uint32_t chain_depth, const TraceContext& trace,
      bool& visible_now);

  // queue_poll.cpp
  std::size_t poll_fifo(std::size_t max, Clock::time_point now, std::vector<Record>& out,
                        RedriveBatch& redrives);
  std::uint32_t take(std::uint32_t cursor, std::size_t limit, std::size_t& taken,
                     Clock::time_point now, std::vector<Record>& out, RedriveBatch& redrives);
  [[gnu::always_inline]] inline void receive(std::uint32_t i, Clock::time_point now,
                                             std::vector<Record>& out);
  void start_redrive(std::uint32_t i, RedriveBatch& redrives);
  void settle_redrives(const RedriveBatch& redrives);

  // queue_settle.cpp
  [[gnu::always_inline]] inline bool erase(std::uint32_t i);
  [[gnu::noinline]] bool erase_held(std::uint32_t i);
  [[gnu::always_inline]] inline bool take_out(std::uint32_t i, bool retiring);
  [[gnu::noinline]] void retire(std::uint32_t i) noexcept;
  [[gnu::noinline]] void hand_back(std::uint32_t i, std::uint32_t generation) noexcept;
  bool hand_back_stale(const Record& r) noexcept;
  QueueSlot* find(const Record& r, std::uint32_t& i) noexcept;

  const QueueConfig config_;
  const std::shared_ptr<QueueState> dead_letters_;
  IdCounter<queue_id_capacity> next_id_;

  YieldingSpinlock lock_;
  SlotArena slots_;
  std::uint64_t next_sequence_ = 1;
  std::size_t visible_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t delayed_ = 0;
  SlotList visible_list_;  // standard queues: the visible messages
  Deadlines deadlines_;
  FifoGroups groups_;                                             // FIFO queues
  DeduplicationWindow deduplication_;                             // FIFO queues
  std::vector<std::pair<std::uint32_t, std::uint32_t>> touched_;  // poll_fifo's scratch
  // Readers' listeners, and the snapshot that sends call.
  ListenerSet listener_set_;
  std::shared_ptr<const Listeners> listeners_;

  // Hints for polls that find nothing, read without the lock: what can be received now
  // (standard: visible messages; FIFO: ready groups), and the earliest deadline.
  std::atomic<std::size_t> available_hint_{0};
  std::atomic<std::int64_t> next_due_hint_{std::numeric_limits<std::int64_t>::max()};
};

}  // namespace nanofaas::detail
