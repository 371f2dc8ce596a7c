#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "jetstream/nats_connection.hpp"
#include "jetstream/queue_reader.hpp"
#include "nanofaas/async_queue.hpp"

namespace nanofaas::detail {

/// One function version's durable event queue: `store` publishes to the version's subject
/// and waits for the acknowledgement; a `JetStreamQueueReader` on the version's consumer
/// (holding messages until settled) feeds `pop`, which restores events from them. Events the
/// engine puts back (a throttle's backoff, a bulk take not run) wait in a local list,
/// their messages still held and kept in progress.
class JetStreamEventQueue final : public AsyncQueue {
 public:
  /// `reader` null: this process only stores (a producer).
  JetStreamEventQueue(std::shared_ptr<NatsConnection> connection, std::string subject,
                      std::string stream, std::unique_ptr<JetStreamQueueReader> reader);
  ~JetStreamEventQueue() override;

  [[nodiscard]] bool durable() const noexcept override { return true; }
  Status store(const QueuedEvent& event) override;
  void settle(QueuedEvent& event, Settlement how, std::chrono::nanoseconds delay) noexcept override;
  void set_listener(std::function<void()> ready) override;
  void close() noexcept override;

  bool push(QueuedEvent* event) override;
  QueuedEvent* pop() override;
  std::size_t pop_bulk(QueuedEvent** out, std::size_t max) override;
  bool requeue(QueuedEvent* event) override;
  [[nodiscard]] std::size_t depth_approx() const override;

 private:
  /// Calls the engine's listener unless closed.
  void wake();
  /// The next fetched message's event; terminates messages that carry none.
  QueuedEvent* restore_next();

  std::shared_ptr<NatsConnection> connection_;
  const std::string subject_;
  const std::string stream_;
  std::unique_ptr<JetStreamQueueReader> reader_;

  mutable std::mutex local_mutex_;
  std::deque<QueuedEvent*> local_;  // put back by the engine, oldest first

  std::mutex listener_mutex_;  // held while the listener runs: none runs after `close`
  std::function<void()> listener_;
  bool closed_ = false;
};

}  // namespace nanofaas::detail
