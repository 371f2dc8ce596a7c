#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/source.hpp"
#include "nanofaas/stream.hpp"

namespace nanofaas {

/// A Kinesis-like stream on JetStream: one stream whose shard `i` is subject `<stream>.<i>`,
/// read in order through one durable consumer per shard, each by one reader at a time.
struct JetStreamStreamConfig {
  /// The stream: 1-255 of [A-Za-z0-9_-].
  std::string stream{};
  /// Shards, 1-256 (a created stream takes `<stream>.*`); every producer and reader must
  /// agree on it.
  std::uint32_t shards = 1;
  /// The readers that share the work: shard `i`'s consumer is `<group>-<i>`, its lease the
  /// key `<stream>.<group>.<i>`. Groups read independently of each other.
  std::string group = "nanofaas";
  /// Create the stream, the consumers and the lease bucket when missing; otherwise a missing
  /// stream fails with `not_found`.
  bool create = true;
  /// Replicas of what is created: 1, or up to 5 in a cluster.
  int replicas = 1;
  /// The key-value bucket holding the shard leases.
  std::string lease_bucket = "nanofaas-leases";
  /// A created bucket's TTL: a lease not renewed for this long ends, and another reader takes
  /// the shard; renewed every third of it. 1 s to 10 min; an existing bucket keeps its own.
  std::chrono::milliseconds lease_duration{10000};
  /// A created consumer's ack wait: records delivered and not checkpointed for this long are
  /// delivered again, to whoever holds the shard then.
  std::chrono::nanoseconds ack_wait = std::chrono::seconds(60);
  /// Records a reader fetches ahead per shard, 1-10000.
  std::size_t prefetch = 256;
  /// How long one fetch waits on the server for records, 1 ms to 1 min.
  std::chrono::milliseconds fetch_wait{500};
  /// The clock `Record::arrival_time` is given by (not null).
  const Clock* clock = &Clock::steady();
};

/// A `Source` (`SourceKind::stream`) over a sharded JetStream stream, for an event source
/// mapping: a reader reads the shards whose lease it holds (in the key-value bucket), each
/// in order on a fetch thread of its own; `poll` never blocks. `checkpoint(shard, seq)` acks
/// the shard's records up to `seq` (the consumers ack all below an ack); `nack` moves the
/// read position back. `Record::id` and `sequence_number` are the stream sequence,
/// `partition_key` the `Nanofaas-Partition-Key` header. A new consumer starts at the
/// reader's `StartingPosition`; an existing one at its checkpoint. Fails with
/// `invalid_argument`, `not_found` or `unavailable`.
[[nodiscard]] NANOFAAS_API Expected<std::shared_ptr<Source>> jetstream_stream_source(
    const JetStream& jetstream, JetStreamStreamConfig config);

/// Publishes `data` to the shard of `partition_key` (FNV-1a 64 of the key modulo `shards`, as
/// `Stream::shard_for`) with the key as a header, acknowledged; a message id of its own makes
/// a retry after a lost acknowledgement store it once. Fails as `JetStream::publish`
/// does, or with `invalid_argument` for a key that is not 1-256 bytes or no shards.
[[nodiscard]] NANOFAAS_API Expected<PutRecordResult> jetstream_put_record(
    const JetStream& jetstream, std::string_view stream, std::uint32_t shards,
    std::string_view partition_key, PayloadView data);

}  // namespace nanofaas
