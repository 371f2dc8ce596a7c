// A JetStream queue reader's fetch thread: pulls from the durable consumer into the buffer,
// moves messages delivered too often to the dead-letter stream, and wakes the pollers.

#include <algorithm>
#include <string>
#include <utility>

#include "jetstream/message_record.hpp"
#include "jetstream/publisher.hpp"
#include "jetstream/queue_reader.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The most messages one fetch asks for.
constexpr std::size_t max_fetch_batch = 256;

}  // namespace

void JetStreamQueueReader::fetch_loop() {
  const JetStreamQueueConfig& config = spec_->config;
  milliseconds backoff{0};
  while (!stopping_.load()) {
    std::size_t room = 0;
    {
      std::unique_lock lock(mutex_);
      keep_buffered_locked();
      // Holding messages until settled, it waits for half the room: fewer, larger fetches.
      const std::size_t most =
          spec_->hold_until_settled ? config.prefetch / 2 : config.prefetch - 1;
      while (!stopping_.load() && (!fetching_ || holding_locked() > most)) {
        // Settlements wake it often: the marks go by their own deadline, not the wake-ups.
        room_.wait_until(lock, next_keep_);
        keep_buffered_locked();
      }
      if (stopping_.load()) return;
      room = config.prefetch - holding_locked();
    }
    // No-wait with an expiry: the server answers as soon as it has any message (up to the
    // batch), or with a timeout after `fetch_wait`, which means "no messages".
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = static_cast<int>(std::min(room, max_fetch_batch));
    request.NoWait = true;
    // At most a quarter of the ack wait, so that the buffer is kept alive in time.
    const std::chrono::nanoseconds wait =
        std::min<std::chrono::nanoseconds>(config.fetch_wait, spec_->ack_wait / 4);
    request.Expires = wait.count();
    NatsMsgList list;
    const auto started = steady::now();
    const natsStatus s = natsSubscription_FetchRequest(list.get(), subscription_.get(), &request);
    if (s == NATS_OK) {
      backoff = milliseconds(0);
      accept(list);
    } else if (stopping_.load()) {
      return;
    } else if ((s == NATS_TIMEOUT || s == NATS_NOT_FOUND) && steady::now() - started >= wait / 2) {
      backoff = milliseconds(0);  // no messages
    } else {
      // An early "no messages" (other requests wait first), or the connection is down: the
      // client reconnects on its own; do not spin meanwhile.
      pause(backoff);
    }
  }
}

void JetStreamQueueReader::keep_buffered_locked() {
  const auto now = steady::now();
  if (now < next_keep_) return;
  next_keep_ = now + spec_->ack_wait / 4;
  const auto keep = [&](HeldMessage& held) {
    if (now - held.fetched < spec_->ack_wait / 3) return;
    natsMsg_InProgress(held.msg.get(), nullptr);
    held.fetched = now;
  };
  if (spec_->hold_until_settled) {
    held_.for_each(keep);
    return;
  }
  for (const std::uint64_t handle : ready_) {
    if (HeldMessage* held = held_.find(handle)) keep(*held);
  }
}

std::size_t JetStreamQueueReader::holding_locked() const noexcept {
  return spec_->hold_until_settled ? held_.size() : ready_.size();
}

void JetStreamQueueReader::pause(milliseconds& backoff) {
  backoff = std::clamp(backoff * 2, milliseconds(10), milliseconds(1000));
  std::unique_lock lock(mutex_);
  room_.wait_for(lock, backoff, [&] { return stopping_.load(); });
}

void JetStreamQueueReader::accept(NatsMsgList& list) {
  const JetStreamQueueConfig& config = spec_->config;
  std::vector<std::unique_ptr<HeldMessage>> fresh;
  fresh.reserve(static_cast<std::size_t>(list.size()));
  for (int i = 0; i < list.size(); ++i) {
    NatsMsgPtr msg = list.take(i);
    jsMsgMetaData* raw = nullptr;
    if (natsMsg_GetMetaData(&raw, msg.get()) != NATS_OK) continue;  // not a stream message
    const JsMetaDataPtr meta(raw);
    if (config.max_receive_count != 0 && meta->NumDelivered > config.max_receive_count) {
      redrive(msg.get(), meta->Sequence.Stream);
      continue;
    }
    fresh.push_back(make_held_message(std::move(msg), *meta, *config.clock));
  }
  if (fresh.empty()) return;
  std::shared_ptr<const std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    if (fetching_ || !give_back_) {
      for (auto& held : fresh) ready_.push_back(held_.add(std::move(held)));
      fresh.clear();
      if (fetching_) wake = listener_;
    }
  }
  for (const auto& held : fresh) natsMsg_Nak(held->msg.get(), nullptr);  // stopped meanwhile
  if (wake) (*wake)();
}

// Published (deduplicated by its origin, so a redrive repeated after a crash stores one copy)
// and acknowledged before the original is acked; if either fails, the message comes back
// after its ack wait and is redriven then.
bool JetStreamQueueReader::redrive(natsMsg* msg, std::uint64_t seq) {
  const JetStreamQueueConfig& config = spec_->config;
  std::string id = config.stream;
  id.append(":").append(std::to_string(seq));
  PublishOptions options;
  options.message_id = id;
  options.headers = user_headers(msg);
  options.headers.push_back({"Nanofaas-Redriven-From", id});
  options.expected_stream = config.dead_letter_stream;
  const char* data = natsMsg_GetData(msg);
  const PayloadView body(data != nullptr ? data : "",
                         static_cast<std::size_t>(natsMsg_GetDataLength(msg)), false);
  if (!publish_acknowledged(*connection_, config.dead_letter_stream, body, options)) return false;
  return natsMsg_AckSync(msg, nullptr, nullptr) == NATS_OK;
}

}  // namespace nanofaas::detail
