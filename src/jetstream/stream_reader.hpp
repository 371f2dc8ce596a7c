#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jetstream/held_messages.hpp"
#include "jetstream/lease.hpp"
#include "jetstream/nats_connection.hpp"
#include "jetstream/nats_handles.hpp"
#include "jetstream/stream_setup.hpp"
#include "nanofaas/jetstream_stream.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas::detail {

/// One shard as a reader sees it: its subscription, lease and the records fetched and not
/// yet checkpointed, in stream order.
struct StreamLane {
  NatsSubscriptionPtr subscription{};
  // Earlier subscriptions, which retired records' messages refer to (under the mutex).
  std::vector<NatsSubscriptionPtr> old_subscriptions{};
  ConsumerSpec consumer{};    // how to recreate the consumer
  bool rewind_known = false;  // a rewind's start was read from the consumer
  std::unique_ptr<Lease> lease{};
  bool leased = false;  // under the reader's mutex
  // Past this the lease may have run out on the server while a renewal was still trying: no
  // record is handed out or acked until one succeeds (under the reader's mutex).
  std::chrono::steady_clock::time_point lease_until{};
  std::deque<std::unique_ptr<HeldMessage>> held;  // in order; views stay until checkpointed
  // Polled before the lease was lost: kept for their views until checkpointed or the reader
  // closes, never acked (the consumer may have been recreated by then).
  std::deque<std::unique_ptr<HeldMessage>> retired;
  std::size_t read = 0;            // the next one to poll
  std::uint64_t fetched_upto = 0;  // the highest sequence fetched
  // The consumer's delivery count seen (its sequence of deliveries, from 1 for each consumer
  // a rewind makes): a jump means deliveries this reader never got (a reply lost in a
  // reconnect, a former holder's late fetch), which a checkpoint would ack unread.
  std::uint64_t delivered_upto = 0;
  bool rewind = false;  // such a jump was seen: the consumer starts over from the checkpoint
  std::thread fetcher{};
};

/// A reader of a JetStream stream: a fetch thread per shard keeps its lease, fetches in order
/// while it holds it, and drops deliveries of records it holds already (those the server
/// sends again once their ack wait ends before a checkpoint). Each time it takes a lease it
/// recreates the shard's consumer at its ack floor, so that it reads on from the last
/// checkpoint whatever an earlier holder had fetched.
class JetStreamStreamReader final : public SourceReader {
 public:
  JetStreamStreamReader(std::shared_ptr<NatsConnection> connection,
                        std::shared_ptr<const JetStreamStreamConfig> config,
                        std::vector<StreamLane> lanes);
  /// Stops the fetch threads (within `fetch_wait`), gives back the records not checkpointed
  /// and frees the leases it holds.
  ~JetStreamStreamReader() override;

  std::uint32_t lanes() const noexcept override {
    return static_cast<std::uint32_t>(lanes_.size());
  }
  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override;
  void ack(std::span<const Record>) override {}
  void nack(std::span<const Record> records, std::chrono::nanoseconds delay) override;
  void checkpoint(std::uint32_t lane, std::uint64_t sequence_number) override;
  void extend_visibility(std::span<const Record>, std::chrono::nanoseconds) override {}
  void set_listener(std::function<void()> wake) override;

 private:
  void fetch_loop(std::uint32_t lane);  // a shard's fetch thread
  void keep_lease(StreamLane& lane);    // renews or takes it; drops the records when lost
  void retire(StreamLane& lane);        // the lease is gone: nothing held may be acked
  void accept(StreamLane& lane, NatsMsgList& list);
  void wait(std::chrono::steady_clock::time_point until);  // unless stopping

  std::shared_ptr<NatsConnection> connection_;
  std::shared_ptr<const JetStreamStreamConfig> config_;
  std::vector<StreamLane> lanes_;  // sized once

  std::mutex mutex_;  // guards the lanes' records and positions, and listener_
  std::condition_variable changed_;
  std::shared_ptr<const std::function<void()>> listener_;
  std::atomic<bool> stopping_{false};
};

}  // namespace nanofaas::detail
