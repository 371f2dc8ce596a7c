#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

/// A message attribute (SQS `MessageAttributes`): a name and a string value.
struct RecordAttribute {
  std::string name{};
  std::string value{};
};

/// One record of a batch, as a batch handler sees it: views into memory the source owns, valid
/// until the handler returns. The body is padded, so JSON parses in place.
struct Record {
  /// Lambda's `itemIdentifier`: the message id (queues) or the sequence number (streams).
  std::string_view id{};
  /// The record's bytes (`payload_padding` readable bytes follow them).
  PayloadView body{};
  /// Message attributes (queues); empty for streams.
  std::span<const RecordAttribute> attributes{};
  /// The partition key (streams) or the message group id (FIFO queues); empty otherwise.
  std::string_view partition_key{};
  /// Streams: increasing within a shard. Queues: increasing in the order messages were sent.
  std::uint64_t sequence_number = 0;
  /// When the source accepted the record (`ApproximateArrivalTimestamp`), by its clock.
  Clock::time_point arrival_time{};
  /// Queues: how many times the message was received, this time included.
  std::uint32_t receive_count = 0;
  /// Queues: how many invocations deep the message's sender was (a handler's depth; 0 from
  /// outside any handler). A mapping invokes one deeper, so that a loop through a queue is
  /// stopped after 16 as Lambda stops one through SQS. Streams: 0.
  std::uint32_t chain_depth = 0;
  /// The trace of the record's sender (SQS's `AWSTraceHeader`): a mapping's call continues
  /// its batch's first record's. Invalid when it was sent outside any trace.
  TraceContext trace{};
  /// The lane (a stream's shard index; 0 for queues) the record was polled from.
  std::uint32_t lane = 0;
  /// The source's handle for settling the record (a receipt handle). Opaque.
  std::uint64_t handle = 0;
};

}  // namespace nanofaas
