// A JetStream stream reader's side that pollers call: records of a leased shard in order,
// the read position moved back by a nack, and checkpoints acked to the shard's consumer.

#include "jetstream/stream_reader.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace nanofaas::detail {

JetStreamStreamReader::JetStreamStreamReader(std::shared_ptr<NatsConnection> connection,
                                             std::shared_ptr<const JetStreamStreamConfig> config,
                                             std::vector<StreamLane> lanes)
    : connection_(std::move(connection)), config_(std::move(config)), lanes_(std::move(lanes)) {
  for (std::uint32_t i = 0; i < lanes_.size(); ++i) {
    lanes_[i].fetcher = std::thread([this, i] { fetch_loop(i); });
  }
}

JetStreamStreamReader::~JetStreamStreamReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  changed_.notify_all();
  // A fetch ends within `fetch_wait`, and its request on the server with it: closing the
  // subscription earlier would leave the request there, and records the server sends it
  // would be lost until their ack wait ends.
  for (StreamLane& lane : lanes_) lane.fetcher.join();
  // Records not checkpointed are left as they are: the next holder of the shard recreates
  // its consumer at the last checkpoint. Another reader may take a shard at once once its
  // lease is freed; during an outage that would wait for answers, and the leases run out.
  bool answering = connection_->connected();
  for (StreamLane& lane : lanes_) {
    if (answering) answering = lane.lease->release();
  }
  for (StreamLane& lane : lanes_) {
    lane.held.clear();  // before the subscriptions the messages refer to
    lane.retired.clear();
  }
}

std::size_t JetStreamStreamReader::poll(std::uint32_t lane, std::size_t max,
                                        std::vector<Record>& out) {
  if (lane >= lanes_.size() || max == 0) return 0;
  std::size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    StreamLane& l = lanes_[lane];
    if (!l.leased || std::chrono::steady_clock::now() >= l.lease_until) return 0;
    while (taken < max && l.read < l.held.size()) {
      out.push_back(l.held[l.read++]->record);
      ++taken;
    }
  }
  if (taken != 0) changed_.notify_all();  // room for the shard's fetcher
  return taken;
}

// The read position of each shard moves back to its lowest nacked record; the delay does not
// apply to a stream (nothing else may be read from the shard before it anyway).
void JetStreamStreamReader::nack(std::span<const Record> records, std::chrono::nanoseconds) {
  std::map<std::uint32_t, std::uint64_t> lowest;
  for (const Record& r : records) {
    auto [it, fresh] = lowest.emplace(r.lane, r.sequence_number);
    if (!fresh) it->second = std::min(it->second, r.sequence_number);
  }
  std::lock_guard lock(mutex_);
  for (const auto& [lane, seq] : lowest) {
    if (lane >= lanes_.size()) continue;
    StreamLane& l = lanes_[lane];
    const auto at = std::lower_bound(l.held.begin(), l.held.end(), seq,
                                     [](const std::unique_ptr<HeldMessage>& h, std::uint64_t s) {
                                       return h->record.sequence_number < s;
                                     });
    l.read = std::min(l.read, static_cast<std::size_t>(at - l.held.begin()));
  }
}

// Acking the last record at or below `sequence_number` acks every earlier one of the shard
// (the consumer acks all); the records are dropped, their views with them. Only while the
// lease surely holds: after that the consumer may be another reader's, recreated.
void JetStreamStreamReader::checkpoint(std::uint32_t lane, std::uint64_t sequence_number) {
  if (lane >= lanes_.size()) return;
  std::lock_guard lock(mutex_);
  StreamLane& l = lanes_[lane];
  const auto upto = [&](const auto& records) {
    std::size_t n = 0;
    while (n < records.size() && records[n]->record.sequence_number <= sequence_number) ++n;
    return static_cast<std::ptrdiff_t>(n);
  };
  l.retired.erase(l.retired.begin(), l.retired.begin() + upto(l.retired));
  if (l.retired.empty()) l.old_subscriptions.clear();  // an unsubscribe, buffered
  const std::ptrdiff_t done = upto(l.held);
  if (done == 0) return;
  if (l.leased && std::chrono::steady_clock::now() < l.lease_until) {
    natsMsg_Ack(l.held[static_cast<std::size_t>(done - 1)]->msg.get(), nullptr);
  }
  l.held.erase(l.held.begin(), l.held.begin() + done);
  const auto n = static_cast<std::size_t>(done);
  l.read = l.read > n ? l.read - n : 0;
}

void JetStreamStreamReader::set_listener(std::function<void()> wake) {
  auto listener = wake ? std::make_shared<const std::function<void()>>(std::move(wake)) : nullptr;
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

}  // namespace nanofaas::detail
