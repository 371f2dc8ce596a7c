#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "jetstream/nats_connection.hpp"
#include "jetstream/nats_handles.hpp"
#include "jetstream/queue_reader.hpp"
#include "nanofaas/async_queue.hpp"
#include "nanofaas/stored_event.hpp"

namespace nanofaas::detail {

/// One function version's durable event queue: `store` publishes to the version's subject
/// and waits for the acknowledgement; a `JetStreamQueueReader` on the version's consumer
/// (holding messages until settled), started with the engine's listener, feeds `pop`, which
/// restores events from them. Events the engine puts back (a throttle's backoff, a bulk take
/// not run) wait in a local list, their messages still held and kept in progress. An event
/// given back at shutdown is stored again with its attempts and age, and its message acked,
/// so that a restart costs it no attempt.
class JetStreamEventQueue final : public AsyncQueue {
 public:
  /// `subscription` null: this process only stores (a producer); else it is bound to the
  /// version's consumer, and `spec` says how to read it.
  JetStreamEventQueue(std::shared_ptr<NatsConnection> connection, std::string subject,
                      std::string stream, NatsSubscriptionPtr subscription,
                      std::shared_ptr<const QueueReaderSpec> spec);
  ~JetStreamEventQueue() override;

  [[nodiscard]] bool durable() const noexcept override { return true; }
  Status store(const QueuedEvent& event) override;
  void settle(QueuedEvent& event, Settlement how, std::chrono::nanoseconds delay) noexcept override;
  void set_listener(std::function<void()> ready) override;
  void close() noexcept override;

  bool push(QueuedEvent* event) noexcept override;
  QueuedEvent* pop() noexcept override;
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) noexcept override;
  bool requeue(QueuedEvent* event) noexcept override;
  [[nodiscard]] std::size_t depth_approx() const override;

 private:
  /// Publishes `stored` to the subject with `message_id`, acknowledged.
  Status publish(const StoredEvent& stored, const std::string& message_id);
  /// Stores a returned event again and acks its message (a nak if storing fails).
  void give_back(QueuedEvent& event, std::span<const Record> message) noexcept;
  /// Calls the engine's listener unless closed.
  void wake();
  /// The next fetched message's event; terminates messages that carry none.
  QueuedEvent* restore_next();

  std::shared_ptr<NatsConnection> connection_;
  const std::string subject_;
  const std::string stream_;
  NatsSubscriptionPtr subscription_;  // until the reader takes it
  std::shared_ptr<const QueueReaderSpec> spec_;

  std::mutex listener_mutex_;  // held while the listener runs: none runs after `close`
  std::function<void()> listener_;
  bool closed_ = false;

  mutable std::mutex local_mutex_;
  std::deque<QueuedEvent*> local_;  // put back by the engine, oldest first
  /// The stream sequence of each restored event's message, by tag (for a give-back's id).
  std::unordered_map<std::uint64_t, std::uint64_t> sequences_;

  /// Made by the first `set_listener`; reset first in the destructor, so that its fetch thread
  /// ends before the members it calls back into.
  std::unique_ptr<JetStreamQueueReader> reader_owner_;
  std::atomic<JetStreamQueueReader*> reader_{nullptr};
};

}  // namespace nanofaas::detail
