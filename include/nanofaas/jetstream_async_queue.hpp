#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "nanofaas/async_queue.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/jetstream.hpp"

namespace nanofaas {

/// Durable event queues on JetStream: every process that registers the same functions with
/// these queues shares their asynchronous events, and an event outlives the process that
/// accepted it (and, with 3 replicas, a server).
struct JetStreamAsyncQueueConfig {
  /// The work-queue stream holding every version's events, on subjects
  /// `<subject_prefix>.<function>.<version>` ($LATEST as `LATEST`): 1-255 of [A-Za-z0-9_-].
  std::string stream = "NANOFAAS_EVENTS";
  std::string subject_prefix = "nanofaas.events";
  /// Create the stream and the consumers when missing; otherwise a missing stream fails.
  bool create = true;
  /// Replicas of what is created: 1, or up to 5 in a cluster (3 survives a server's loss).
  int replicas = 1;
  /// A created consumer's ack wait: an event held by a process that stopped answering comes
  /// back after it. Events held are marked in progress every third of it. 1 s to 12 hours.
  std::chrono::nanoseconds ack_wait = std::chrono::seconds(30);
  /// Events one process holds per version at most, 1-10000: fetched, running, or waiting
  /// for a throttle's backoff. A process fetches once half of it is free, no more than fits.
  std::size_t max_in_flight = 256;
  /// A created consumer's `MaxAckPending`: events held at once by all processes together,
  /// per version; set it to the function's reserved concurrency to hold that across
  /// processes. 0: no limit but each process's `max_in_flight`.
  std::uint32_t max_ack_pending = 0;
  /// How long one fetch waits on the server for events, 1 ms to 1 min; closing waits as long.
  std::chrono::milliseconds fetch_wait{500};
  /// False: this process only stores events (a producer) and runs none of them.
  bool receive = true;
};

/// The factory for `EngineConfig::async_queue`: each version's events go to the stream (set
/// up now) with the request id as `Nats-Msg-Id`, and `invoke_async` returns once the stream
/// acknowledged one (or fails with `unavailable`). Each receiving process fetches through
/// the version's durable consumer; an event is acked after its outcome and destinations,
/// nak'ed with the retry delay for a retry (its delivery count gives the attempt),
/// terminated after failure handling, and given back at shutdown. The factory returns null
/// (failing the registration) when the version's consumer cannot be set up. The stream's own
/// limits bound it, not `AsyncConfig::max_queue_depth`. Fails with
/// `invalid_argument` for a bad configuration, `not_found` or `unavailable`.
[[nodiscard]] NANOFAAS_API Expected<AsyncQueueFactory> jetstream_async_queues(
    const JetStream& jetstream, JetStreamAsyncQueueConfig config);

}  // namespace nanofaas
