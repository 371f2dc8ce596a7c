// A JetStream queue reader's side that pollers call: taking buffered messages, and settling
// them with an ack, a nak, an in-progress or nothing at all.

#include "jetstream/queue_reader.hpp"

#include <utility>

namespace nanofaas::detail {

using steady = std::chrono::steady_clock;

JetStreamQueueReader::JetStreamQueueReader(std::shared_ptr<NatsConnection> connection,
                                           NatsSubscriptionPtr subscription,
                                           std::shared_ptr<const QueueReaderSpec> spec)
    : connection_(std::move(connection)),
      subscription_(std::move(subscription)),
      spec_(std::move(spec)) {
  fetcher_ = std::thread([this] { fetch_loop(); });
}

JetStreamQueueReader::~JetStreamQueueReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  room_.notify_all();
  // A fetch ends within `fetch_wait`, and its request on the server with it: closing the
  // subscription earlier would leave the request there, and messages the server sends it
  // would come back only after their ack wait.
  fetcher_.join();
  stop_fetching();  // and what a poll did not take goes back now
  // Members go in reverse order: the held messages before the subscription they refer to.
}

void JetStreamQueueReader::stop_fetching(bool give_back) {
  // What was fetched and not polled goes back at once, to the consumer's other readers; what
  // a fetch still brings is given back as it arrives.
  std::vector<std::unique_ptr<HeldMessage>> unpolled;
  {
    std::lock_guard lock(mutex_);
    fetching_ = false;
    give_back_ = give_back;
    if (!give_back_) return;
    for (const std::uint64_t handle : ready_) {
      if (auto held = held_.remove(handle)) unpolled.push_back(std::move(held));
    }
    ready_.clear();
  }
  for (const auto& held : unpolled) natsMsg_Nak(held->msg.get(), nullptr);
}

std::size_t JetStreamQueueReader::buffered() {
  std::lock_guard lock(mutex_);
  return ready_.size();
}

std::size_t JetStreamQueueReader::poll(std::uint32_t lane, std::size_t max,
                                       std::vector<Record>& out) {
  if (lane != 0 || max == 0) return 0;
  const auto now = steady::now();
  const auto ack_wait = spec_->ack_wait;
  std::vector<std::unique_ptr<HeldMessage>> expired;
  std::size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    while (taken < max && !ready_.empty()) {
      const std::uint64_t handle = ready_.front();
      ready_.pop_front();
      HeldMessage* held = held_.find(handle);
      if (held == nullptr) continue;
      const auto age = now - held->fetched;
      if (age >= ack_wait * 9 / 10) {
        // Its ack wait is (nearly) over: the server delivers it again, maybe elsewhere.
        expired.push_back(held_.remove(handle));
        continue;
      }
      if (age >= ack_wait / 10) {
        // Waited a while in the buffer: the batch gets the whole visibility timeout.
        natsMsg_InProgress(held->msg.get(), nullptr);
        held->fetched = now;
      }
      out.push_back(held->record);
      ++taken;
    }
  }
  if (taken != 0 || !expired.empty()) room_.notify_one();
  return taken;
}

std::vector<std::unique_ptr<HeldMessage>> JetStreamQueueReader::take(
    std::span<const Record> records) {
  std::vector<std::unique_ptr<HeldMessage>> out;
  out.reserve(records.size());
  {
    std::lock_guard lock(mutex_);
    for (const Record& r : records) {
      if (auto held = held_.remove(r.handle)) out.push_back(std::move(held));
    }
  }
  if (spec_->hold_until_settled && !out.empty()) room_.notify_one();
  return out;
}

// An ack that does not reach the server (a drop) leaves the message to come back after its
// ack wait: delivery is at least once.
void JetStreamQueueReader::ack(std::span<const Record> records) {
  for (const auto& held : take(records)) natsMsg_Ack(held->msg.get(), nullptr);
}

void JetStreamQueueReader::nack(std::span<const Record> records, std::chrono::nanoseconds delay) {
  // The client's nak delay is in milliseconds (the consumer's durations are nanoseconds).
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(delay).count();
  for (const auto& held : take(records)) {
    if (ms > 0) {
      natsMsg_NakWithDelay(held->msg.get(), ms, nullptr);
    } else {
      natsMsg_Nak(held->msg.get(), nullptr);
    }
  }
}

void JetStreamQueueReader::terminate(std::span<const Record> records) {
  for (const auto& held : take(records)) natsMsg_Term(held->msg.get(), nullptr);
}

void JetStreamQueueReader::release(std::span<const Record> records) {
  take(records);  // nothing to tell the server: the message comes back after its ack wait
}

// The consumer's ack wait starts again; its length is the consumer's, not `timeout`.
void JetStreamQueueReader::extend_visibility(std::span<const Record> records,
                                             std::chrono::nanoseconds timeout) {
  (void)timeout;
  std::lock_guard lock(mutex_);
  for (const Record& r : records) {
    if (HeldMessage* held = held_.find(r.handle)) natsMsg_InProgress(held->msg.get(), nullptr);
  }
}

void JetStreamQueueReader::set_listener(std::function<void()> wake) {
  auto listener = wake ? std::make_shared<const std::function<void()>>(std::move(wake)) : nullptr;
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

}  // namespace nanofaas::detail
