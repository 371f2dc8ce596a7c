// A durable event queue on JetStream: storing events, restoring them from fetched messages,
// and settling each one's message as the engine ends it.

#include "jetstream/event_queue.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jetstream/event_headers.hpp"
#include "jetstream/publisher.hpp"

namespace nanofaas::detail {

JetStreamEventQueue::JetStreamEventQueue(std::shared_ptr<NatsConnection> connection,
                                         std::string subject, std::string stream,
                                         NatsSubscriptionPtr subscription,
                                         std::shared_ptr<const QueueReaderSpec> spec)
    : connection_(std::move(connection)),
      subject_(std::move(subject)),
      stream_(std::move(stream)),
      subscription_(std::move(subscription)),
      spec_(std::move(spec)) {}

JetStreamEventQueue::~JetStreamEventQueue() {
  close();
  // Events the engine put back and never took again (it settles what it ends): their
  // messages go back to the stream.
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
  if (JetStreamQueueReader* reader = reader_.load()) {
    reader->nack(records, std::chrono::nanoseconds(0));
  }
  reader_owner_.reset();  // its fetch thread ends before the members it calls back into
}

Status JetStreamEventQueue::publish(const StoredEvent& stored, const std::string& message_id) {
  PublishOptions options;
  options.message_id = message_id;
  options.headers = event_headers(stored);
  options.expected_stream = stream_;
  auto sequence = publish_acknowledged(*connection_, subject_, stored.body, options);
  if (!sequence) return Unexpected(std::move(sequence).error());
  return {};
}

Status JetStreamEventQueue::store(const QueuedEvent& event) {
  const StoredEvent stored = stored_form(event);
  // The server refuses a message past its max_payload (1 MB by default), headers included.
  constexpr std::int64_t header_room = 1024;
  const std::int64_t max = natsConnection_GetMaxPayload(connection_->nc());
  if (max > 0 && static_cast<std::int64_t>(stored.body.size()) + header_room > max) {
    return Unexpected(Error{Errc::request_too_large,
                            "the event (" + std::to_string(stored.body.size()) +
                                " bytes) is larger than the NATS server takes (max_payload " +
                                std::to_string(max) + " bytes, headers included)"});
  }
  return publish(stored, stored.id.to_string());
}

void JetStreamEventQueue::settle(QueuedEvent& event, Settlement how,
                                 std::chrono::nanoseconds delay) noexcept {
  JetStreamQueueReader* reader = reader_.load();
  if (reader == nullptr) return;
  Record r;
  r.handle = tag_of(event);
  const std::span<const Record> one(&r, 1);
  try {
    switch (how) {
      case Settlement::done: reader->ack(one); break;
      case Settlement::failed: reader->terminate(one); break;
      case Settlement::retry: reader->nack(one, delay); break;
      case Settlement::returned: give_back(event, one); break;
    }
  } catch (...) {
    // No memory to settle it: the message comes back after its ack wait.
  }
  std::lock_guard lock(local_mutex_);
  sequences_.erase(r.handle);
}

void JetStreamEventQueue::give_back(QueuedEvent& event, std::span<const Record> message) noexcept {
  JetStreamQueueReader* reader = reader_.load();
  try {
    // A nak would count a delivery, and so an attempt, for an event that did not run: it is
    // stored again with what it had, under an id of its own (the first one's is taken).
    std::uint64_t sequence = 0;
    {
      std::lock_guard lock(local_mutex_);
      if (auto it = sequences_.find(tag_of(event)); it != sequences_.end()) sequence = it->second;
    }
    const StoredEvent stored = stored_form(event);
    std::string id = stored.id.to_string();
    id.append("/").append(std::to_string(sequence));
    if (publish(stored, id)) {
      reader->ack(message);
      return;
    }
  } catch (...) {
  }
  reader->nack(message, std::chrono::nanoseconds(0));
}

void JetStreamEventQueue::set_listener(std::function<void()> ready) {
  {
    std::lock_guard lock(listener_mutex_);
    if (closed_) return;
    listener_ = std::move(ready);
  }
  if (subscription_ == nullptr || reader_.load() != nullptr) return;
  // Fetching starts now, with the version registered: a version that never is (a name taken
  // already) takes no events.
  reader_owner_ =
      std::make_unique<JetStreamQueueReader>(connection_, std::move(subscription_), spec_);
  reader_owner_->set_listener([this] { wake(); });
  reader_.store(reader_owner_.get());
  wake();  // for what the reader had before its listener
}

void JetStreamEventQueue::wake() {
  std::lock_guard lock(listener_mutex_);
  try {
    if (listener_) listener_();
  } catch (...) {
    // No memory to schedule a look: the next arrival, or a completion's pump, makes one.
  }
}

void JetStreamEventQueue::close() noexcept {
  {
    std::lock_guard lock(listener_mutex_);
    closed_ = true;
    listener_ = nullptr;
  }
  // What it fetched stays, for the engine to run in its drain or give back one by one.
  if (JetStreamQueueReader* reader = reader_.load()) reader->stop_fetching(false);
}

bool JetStreamEventQueue::push(QueuedEvent* event) noexcept {
  // Only events it restored come back here (after a throttle's backoff); a new one is stored.
  return tag_of(*event) != 0 && requeue(event);
}

bool JetStreamEventQueue::requeue(QueuedEvent* event) noexcept {
  try {
    std::lock_guard lock(local_mutex_);
    local_.push_back(event);
    return true;
  } catch (...) {
    return false;
  }
}

QueuedEvent* JetStreamEventQueue::pop() noexcept {
  try {
    {
      std::lock_guard lock(local_mutex_);
      if (!local_.empty()) {
        QueuedEvent* event = local_.front();
        local_.pop_front();
        return event;
      }
    }
    return reader_.load() != nullptr ? restore_next() : nullptr;
  } catch (...) {
    return nullptr;  // no memory: the message stays held, and comes back after its ack wait
  }
}

std::size_t JetStreamEventQueue::pop_bulk(QueuedEvent** out, std::size_t max) noexcept {
  std::size_t n = 0;
  while (n < max) {
    QueuedEvent* event = pop();
    if (event == nullptr) break;
    out[n++] = event;
  }
  return n;
}

QueuedEvent* JetStreamEventQueue::restore_next() {
  JetStreamQueueReader& reader = *reader_.load();
  thread_local std::vector<Record> records;  // no allocation per event
  records.clear();
  while (reader.poll(0, 1, records) == 1) {
    const Record& r = records.back();
    auto stored = event_of(r);
    if (!stored) {
      reader.terminate(std::span<const Record>(&r, 1));  // not an event: never again
      records.clear();
      continue;
    }
    // What it had when stored, and the deliveries since less this one: a delivery that ended
    // without a settlement (a process that died holding it) counts as an attempt, as a
    // retry's nak does.
    const std::uint32_t attempts =
        stored->attempts + (r.receive_count > 0 ? r.receive_count - 1 : 0);
    const auto enqueued = std::chrono::steady_clock::now() - stored->age;
    auto event = restore_event(*stored, attempts, enqueued, r.handle);
    if (!event) {
      reader.nack(std::span<const Record>(&r, 1), std::chrono::nanoseconds(0));
      return nullptr;
    }
    try {
      std::lock_guard lock(local_mutex_);
      sequences_[r.handle] = r.sequence_number;
    } catch (...) {
      // Without it, a give-back's id is the request id and 0: still unique per event.
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
  JetStreamQueueReader* reader = reader_.load();
  return local + (reader != nullptr ? reader->buffered() : 0);
}

}  // namespace nanofaas::detail
