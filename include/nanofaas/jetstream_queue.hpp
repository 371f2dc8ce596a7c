#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas {

/// A queue on JetStream (SQS-like, standard): a work-queue stream read through one durable
/// pull consumer, which every reader in every process shares, so they compete for messages.
struct JetStreamQueueConfig {
  /// The stream: 1-255 of [A-Za-z0-9_-].
  std::string stream{};
  /// The subjects a created stream takes; empty: the stream's name.
  std::vector<std::string> subjects{};
  /// The durable consumer's name (same rules as the stream's).
  std::string consumer = "nanofaas";
  /// Create the stream (work-queue retention), the consumer and the dead-letter stream when
  /// missing; otherwise a missing one fails with `not_found`.
  bool create = true;
  /// Replicas of what is created: 1, or up to 5 in a cluster (3 survives a server's loss).
  int replicas = 1;
  /// A created consumer's ack wait: how long a received message stays invisible (SQS's
  /// visibility timeout), at least 1 ms. An existing consumer keeps its own.
  std::chrono::nanoseconds visibility_timeout = std::chrono::seconds(30);
  /// Redrive policy `maxReceiveCount`, 0-1000: a message delivered more often moves to
  /// `dead_letter_stream` instead of being received again. 0: no redrive.
  std::uint32_t max_receive_count = 0;
  /// The dead-letter stream, required exactly when `max_receive_count` > 0; messages go to
  /// the subject of its name (a created one takes that subject).
  std::string dead_letter_stream{};
  /// A created consumer's `MaxAckPending`: messages received and not yet acked by all readers
  /// together, 1 to 1,000,000 (SQS's in-flight limit is 120,000); past it the server holds
  /// the rest back. An existing consumer keeps its own.
  std::uint32_t max_in_flight = 120000;
  /// Messages a reader fetches ahead of its polls, 1-10000. Each one's visibility timeout runs
  /// from its fetch; one that waited past it is left for a later delivery.
  std::size_t prefetch = 256;
  /// How long one fetch waits on the server for messages, 1 ms to 1 min; a closing reader
  /// waits this long at most.
  std::chrono::milliseconds fetch_wait{500};
  /// The clock `Record::arrival_time` is given by (not null).
  const Clock* clock = &Clock::steady();
};

/// A `Source` (`SourceKind::queue`) over a JetStream work queue, for an event source
/// mapping. Each reader fetches on a thread of its own into a bounded buffer that `poll`
/// takes from without blocking, and calls the listener when messages arrive. `ack` acks,
/// `nack` naks with the delay, `release` leaves the message to come back after the ack
/// wait, `extend_visibility` restarts the ack wait (its length is the consumer's).
/// `Record::id` is the stream sequence, `receive_count` the delivery count, `attributes` the
/// headers (but `Nats-*`, `traceparent` and `Nanofaas-Chain-Depth`, read into `trace` and
/// `chain_depth`). Fails with `invalid_argument` for a bad configuration, `not_found` or
/// `unavailable`.
[[nodiscard]] NANOFAAS_API Expected<std::shared_ptr<Source>> jetstream_queue_source(
    const JetStream& jetstream, JetStreamQueueConfig config);

}  // namespace nanofaas
