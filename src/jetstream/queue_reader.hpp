#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "jetstream/held_messages.hpp"
#include "jetstream/nats_connection.hpp"
#include "jetstream/nats_handles.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas::detail {

/// What a queue reader needs of its source: the configuration, the consumer's ack wait.
struct QueueReaderSpec {
  JetStreamQueueConfig config{};
  std::chrono::nanoseconds ack_wait{};
  /// Polled messages count against `prefetch` until settled, and are kept in progress
  /// meanwhile (a durable event queue: `prefetch` bounds the events a process holds).
  bool hold_until_settled = false;
};

/// A reader of a JetStream queue: a thread fetches from the durable consumer (the C client
/// has no asynchronous pull) into a buffer of at most `prefetch` messages, which `poll`
/// takes from under a short lock. Settling a record is one publish on the connection (an
/// ack, nak or in-progress), buffered by the client, with no round trip.
class JetStreamQueueReader final : public SourceReader {
 public:
  /// Starts fetching on `subscription` (bound to the consumer).
  JetStreamQueueReader(std::shared_ptr<NatsConnection> connection, NatsSubscriptionPtr subscription,
                       std::shared_ptr<const QueueReaderSpec> spec);
  /// Stops the fetch thread (within `fetch_wait`), gives back the messages fetched and not
  /// polled, and frees every message still held.
  ~JetStreamQueueReader() override;

  std::uint32_t lanes() const noexcept override { return 1; }
  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override;
  void ack(std::span<const Record> records) override;
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) override;
  void release(std::span<const Record> records) override;
  void checkpoint(std::uint32_t, std::uint64_t) override {}
  void extend_visibility(std::span<const Record> records,
                         std::chrono::nanoseconds timeout) override;
  void set_listener(std::function<void()> wake) override;
  /// Terminates the records' messages: never delivered again.
  void terminate(std::span<const Record> records);
  /// Fetches no more and, with `give_back`, gives back what was fetched and not polled
  /// (without, a poll still takes it, and what a fetch in flight brings); polled messages
  /// stay held (and kept in progress) until settled.
  void stop_fetching(bool give_back = true);
  /// Messages fetched and not polled.
  [[nodiscard]] std::size_t buffered();

 private:
  void fetch_loop();                               // the fetch thread
  void accept(NatsMsgList& list);                  // fetched messages into the buffer
  bool redrive(natsMsg* msg, std::uint64_t seq);   // to the dead-letter stream, then acked
  void pause(std::chrono::milliseconds& backoff);  // after a fetch error, unless stopping
  /// Marks buffered messages (and, with `hold_until_settled`, polled ones) that waited a third
  /// of their ack wait in progress, so that the server does not deliver them again (which
  /// would use up a receive) before a poll takes them; every quarter of the ack wait at most.
  /// Under `mutex_`.
  void keep_buffered_locked();
  /// Messages that count against `prefetch`. Under `mutex_`.
  [[nodiscard]] std::size_t holding_locked() const noexcept;
  /// Takes the records' messages out of `held_` (those still held).
  std::vector<std::unique_ptr<HeldMessage>> take(std::span<const Record> records);

  std::shared_ptr<NatsConnection> connection_;
  NatsSubscriptionPtr subscription_;
  std::shared_ptr<const QueueReaderSpec> spec_;

  std::mutex mutex_;  // guards held_, ready_ and listener_
  std::condition_variable room_;
  HeldMessages held_;
  std::deque<std::uint64_t> ready_;  // fetched, not yet polled, oldest first
  std::shared_ptr<const std::function<void()>> listener_;
  std::atomic<bool> stopping_{false};
  bool fetching_ = true;   // under mutex_: false once stop_fetching began
  bool give_back_ = true;  // under mutex_: stop_fetching naks what arrives after it
  std::chrono::steady_clock::time_point next_keep_{};  // under mutex_: the next marking
  std::thread fetcher_;
};

}  // namespace nanofaas::detail
