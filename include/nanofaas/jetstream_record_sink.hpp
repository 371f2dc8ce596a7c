#pragma once

#include <memory>
#include <string>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/record_sink.hpp"

namespace nanofaas {

/// Where a JetStream record sink publishes.
struct JetStreamRecordSinkConfig {
  /// The stream that must store what is published: 1-255 of [A-Za-z0-9_-].
  std::string stream{};
  /// The subject published to; empty: the stream's name.
  std::string subject{};
  /// Create the stream (limits retention, taking `subject`) when missing; otherwise a
  /// missing stream fails with `not_found`.
  bool create = true;
  /// Replicas of a created stream: 1, or up to 5 in a cluster.
  int replicas = 1;
};

/// A `RecordSink` publishing to a JetStream subject: an invocation record's JSON, or a dead
/// letter's event with headers `RequestID`, `ErrorCode` and `ErrorMessage` (Lambda's SQS
/// dead-letter attributes), both with the trace as `traceparent`. `put` returns once the
/// stream acknowledged the message, so it blocks its worker thread for a round trip (longer
/// while a cluster elects a leader); a message id from the request id and outcome makes a
/// repeated put store one copy. Fails with `invalid_argument`, `not_found` or `unavailable`.
[[nodiscard]] NANOFAAS_API Expected<std::shared_ptr<RecordSink>> jetstream_record_sink(
    const JetStream& jetstream, JetStreamRecordSinkConfig config);

}  // namespace nanofaas
