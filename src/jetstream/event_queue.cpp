// A durable event queue on JetStream: storing events, restoring them from fetched messages,
// and settling each one's message as the engine ends it.

#include "jetstream/event_queue.hpp"

#include <utility>
#include <vector>

#include "jetstream/event_headers.hpp"
#include "jetstream/publisher.hpp"
#include "nanofaas/stored_event.hpp"

namespace nanofaas::detail {

JetStreamEventQueue::JetStreamEventQueue(std::shared_ptr<NatsConnection> connection,
                                         std::string subject, std::string stream,
                                         std::unique_ptr<JetStreamQueueReader> reader)
    : connection_(std::move(connection)),
      subject_(std::move(subject)),
      stream_(std::move(stream)),
      reader_(std::move(reader)) {
  if (reader_) reader_->set_listener([this] { wake(); });
}

JetStreamEventQueue::~JetStreamEventQueue() {
  close();
  // Events the engine put back and never took again (it settles what it ends): their
  // messages come back after the ack wait, or at once when the reader gives them back.
  std::vector<Record> records;
  {
    std::lock_guard lock(local_mutex_);
    for (QueuedEvent* event : local_) {
      Record r;
      r.handle = tag_of(*event);
      records.push_back(r);
      free_restored_event(event);
    }
    local_.clear();
  }
  if (reader_) reader_->nack(records, std::chrono::nanoseconds(0));
}

Status JetStreamEventQueue::store(const QueuedEvent& event) {
  const StoredEvent stored = stored_form(event);
  const std::string id = stored.id.to_string();
  PublishOptions options;
  options.message_id = id;
  options.headers = event_headers(stored);
  options.expected_stream = stream_;
  auto sequence = publish_acknowledged(*connection_, subject_, stored.body, options);
  if (!sequence) return Unexpected(std::move(sequence).error());
  return {};
}

void JetStreamEventQueue::settle(QueuedEvent& event, Settlement how,
                                 std::chrono::nanoseconds delay) noexcept {
  if (!reader_) return;
  Record r;
  r.handle = tag_of(event);
  const std::span<const Record> one(&r, 1);
  try {
    switch (how) {
      case Settlement::done: reader_->ack(one); break;
      case Settlement::failed: reader_->terminate(one); break;
      case Settlement::retry: reader_->nack(one, delay); break;
      case Settlement::returned: reader_->nack(one, std::chrono::nanoseconds(0)); break;
    }
  } catch (...) {
    // No memory to settle it: the message comes back after its ack wait.
  }
}

void JetStreamEventQueue::set_listener(std::function<void()> ready) {
  std::lock_guard lock(listener_mutex_);
  if (!closed_) listener_ = std::move(ready);
}

void JetStreamEventQueue::wake() {
  std::lock_guard lock(listener_mutex_);
  if (listener_) listener_();
}

void JetStreamEventQueue::close() noexcept {
  {
    std::lock_guard lock(listener_mutex_);
    closed_ = true;
    listener_ = nullptr;
  }
  if (reader_) reader_->stop_fetching();
}

bool JetStreamEventQueue::push(QueuedEvent* event) {
  // Only events it restored come back here (after a throttle's backoff); a new one is stored.
  return tag_of(*event) != 0 && requeue(event);
}

bool JetStreamEventQueue::requeue(QueuedEvent* event) {
  try {
    std::lock_guard lock(local_mutex_);
    local_.push_back(event);
    return true;
  } catch (...) {
    return false;
  }
}

QueuedEvent* JetStreamEventQueue::pop() {
  {
    std::lock_guard lock(local_mutex_);
    if (!local_.empty()) {
      QueuedEvent* event = local_.front();
      local_.pop_front();
      return event;
    }
  }
  return reader_ ? restore_next() : nullptr;
}

std::size_t JetStreamEventQueue::pop_bulk(QueuedEvent** out, std::size_t max) {
  std::size_t n = 0;
  while (n < max) {
    QueuedEvent* event = pop();
    if (event == nullptr) break;
    out[n++] = event;
  }
  return n;
}

QueuedEvent* JetStreamEventQueue::restore_next() {
  thread_local std::vector<Record> records;  // no allocation per event
  records.clear();
  while (reader_->poll(0, 1, records) == 1) {
    const Record& r = records.back();
    auto stored = event_of(r);
    if (!stored) {
      reader_->terminate(std::span<const Record>(&r, 1));  // not an event: never again
      records.clear();
      continue;
    }
    // The delivery count less one: deliveries that ended without a settlement (a process
    // that died holding the event) count as attempts, as a retry's nak does.
    const std::uint32_t attempts = r.receive_count > 0 ? r.receive_count - 1 : 0;
    auto event = restore_event(*stored, attempts, r.arrival_time, r.handle);
    if (!event) {
      reader_->nack(std::span<const Record>(&r, 1), std::chrono::nanoseconds(0));
      return nullptr;
    }
    return *event;
  }
  return nullptr;
}

std::size_t JetStreamEventQueue::depth_approx() const {
  std::size_t local = 0;
  {
    std::lock_guard lock(local_mutex_);
    local = local_.size();
  }
  return local + (reader_ ? reader_->buffered() : 0);
}

}  // namespace nanofaas::detail
