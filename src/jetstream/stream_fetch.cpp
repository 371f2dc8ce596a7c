// A JetStream stream reader's fetch threads, one per shard: the shard's lease kept, its
// records fetched in order while it is held, and the pollers woken.

#include <algorithm>
#include <string>
#include <utility>

#include "jetstream/message_record.hpp"
#include "jetstream/stream_reader.hpp"
#include "jetstream/stream_setup.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t max_fetch_batch = 256;
constexpr const char* partition_key_header = "Nanofaas-Partition-Key";

}  // namespace

void JetStreamStreamReader::fetch_loop(std::uint32_t index) {
  StreamLane& lane = lanes_[index];
  const auto renew_every = std::chrono::duration_cast<steady::duration>(lane.lease->duration() / 3);
  auto renew_at = steady::now();
  while (!stopping_.load()) {
    if (steady::now() >= renew_at) {
      keep_lease(lane);
      renew_at = steady::now() + renew_every;
    }
    steady::time_point until;
    {
      std::unique_lock lock(mutex_);
      // Nothing is fetched unless the lease surely holds: a fetch by a reader that lost it
      // would take records from the next holder's consumer.
      const auto idle = [&] {
        return !lane.leased || lane.rewind || steady::now() >= lane.lease_until ||
               lane.held.size() - lane.read >= config_->prefetch;
      };
      if (lane.rewind && lane.leased) {
        renew_at = steady::now();  // the rewind goes with the lease's renewal, now
        continue;
      }
      if (idle()) {
        changed_.wait_until(lock, renew_at, [&] { return stopping_.load() || !idle(); });
        continue;
      }
      // As the queue's fetch: any records up to the batch at once, or "none" after the wait,
      // which ends before the lease is due for renewal.
      until = std::min({renew_at, lane.lease_until, steady::now() + config_->fetch_wait});
    }
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = static_cast<int>(std::min(config_->prefetch, max_fetch_batch));
    request.NoWait = true;
    request.Expires = std::max<std::chrono::nanoseconds>(until - steady::now(), 1ms).count();
    NatsMsgList list;
    const natsStatus s =
        natsSubscription_FetchRequest(list.get(), lane.subscription.get(), &request);
    if (s == NATS_OK) {
      accept(lane, list);
    } else if (s != NATS_TIMEOUT && s != NATS_NOT_FOUND) {
      wait(std::min(renew_at, steady::now() + 100ms));  // the connection is down: do not spin
    }
  }
}

void JetStreamStreamReader::keep_lease(StreamLane& lane) {
  // The TTL runs on the server from about when the write was sent: counted from before it,
  // with a quarter to spare for the clocks' and the network's slack.
  const auto sent = steady::now();
  const auto lasts = std::chrono::duration_cast<steady::duration>(lane.lease->duration() * 3 / 4);
  const LeaseRefresh got = lane.lease->refresh();  // a round trip, outside the lock
  {
    std::lock_guard lock(mutex_);
    if (got == LeaseRefresh::kept && lane.leased && !lane.rewind) {
      lane.lease_until = sent + lasts;
      return;
    }
    // Lost, or taken anew (another reader may have held the shard meanwhile), or deliveries
    // went missing: what this reader fetched before is no longer its to ack.
    retire(lane);
  }
  if (got == LeaseRefresh::lost) return;
  // Taken: the consumer may have delivered records past the last checkpoint to an earlier
  // holder, which will never ack them; it starts over from the checkpoint, in order. Waits
  // are bounded by the lease, and a rewind that fails is tried again at the next renewal.
  const auto patience = std::chrono::duration_cast<std::chrono::milliseconds>(lasts) / 3;
  if (stopping_.load() ||
      !rewind_consumer(*connection_, lane.consumer, lane.rewind_known, patience) ||
      stopping_.load()) {
    return;
  }
  // A new subscription, so that nothing the old consumer sent is taken for the new one's.
  auto sub =
      bind_pull_subscription(*connection_, lane.consumer.stream, lane.consumer.durable, patience);
  if (!sub) return;
  std::lock_guard lock(mutex_);
  if (!lane.retired.empty()) lane.old_subscriptions.push_back(std::move(lane.subscription));
  lane.subscription = std::move(sub).value();
  lane.fetched_upto = 0;
  lane.delivered_upto = 0;
  lane.rewind = false;
  lane.lease_until = sent + lasts;
  lane.leased = true;
}

void JetStreamStreamReader::retire(StreamLane& lane) {
  // Polled records stay until checkpointed (their views must), the rest is dropped: the
  // next holder reads them again from the consumer's ack floor.
  for (std::size_t i = 0; i < lane.read; ++i) lane.retired.push_back(std::move(lane.held[i]));
  lane.held.clear();
  lane.read = 0;
  lane.fetched_upto = 0;
  lane.leased = false;
}

void JetStreamStreamReader::wait(steady::time_point until) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, until, [&] { return stopping_.load(); });
}

void JetStreamStreamReader::accept(StreamLane& lane, NatsMsgList& list) {
  const auto index = static_cast<std::uint32_t>(&lane - lanes_.data());
  std::vector<std::unique_ptr<HeldMessage>> fresh;
  std::vector<std::uint64_t> deliveries;  // each one's consumer sequence
  for (int i = 0; i < list.size(); ++i) {
    NatsMsgPtr msg = list.take(i);
    jsMsgMetaData* raw = nullptr;
    if (natsMsg_GetMetaData(&raw, msg.get()) != NATS_OK) continue;
    const JsMetaDataPtr meta(raw);
    auto held = make_held_message(std::move(msg), *meta, *config_->clock);
    // A stream record has a partition key and a lane, and no attributes or receive count.
    Record& r = held->record;
    for (const RecordAttribute& a : held->attributes) {
      if (a.name == partition_key_header) r.partition_key = a.value;
    }
    r.attributes = {};
    r.receive_count = 0;
    r.chain_depth = 0;
    r.lane = index;
    r.handle = r.sequence_number;
    fresh.push_back(std::move(held));
    deliveries.push_back(meta->Sequence.Consumer);
  }
  std::shared_ptr<const std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < fresh.size() && !lane.rewind; ++i) {
      if (deliveries[i] != lane.delivered_upto + 1) {
        // Deliveries this reader never got: none after them is handed out, and the consumer
        // starts over from the checkpoint (`keep_lease`).
        lane.rewind = true;
        break;
      }
      lane.delivered_upto = deliveries[i];
      auto& held = fresh[i];
      // A record delivered again (its ack wait ended before a checkpoint) is held already.
      if (held->record.sequence_number <= lane.fetched_upto) continue;
      lane.fetched_upto = held->record.sequence_number;
      lane.held.push_back(std::move(held));
    }
    wake = listener_;
  }
  if (wake) (*wake)();
}

}  // namespace nanofaas::detail
