#pragma once

#include <memory>

#include "nanofaas/queue.hpp"
#include "nanofaas/record_sink.hpp"

namespace nanofaas::detail {

/// The `RecordSink` onto a standard queue: the one path from records and dead letters to a
/// nanofaas `Queue`, for `queue_record_sink` and for the queue fields of an `AsyncConfig`.
/// A message's chain depth is the sending thread's (see `ThreadChainDepth`).
class QueueRecordSink final : public RecordSink {
 public:
  /// Onto `queue`, which outlives the sink (a delivery makes one on its stack).
  explicit QueueRecordSink(Queue& queue) noexcept : queue_(queue) {}
  /// Onto `queue`, kept alive by the sink.
  explicit QueueRecordSink(std::shared_ptr<Queue> queue) noexcept
      : owner_(std::move(queue)), queue_(*owner_) {}

  /// Sends the record's JSON; fails as `Queue::send` does.
  Status put(const InvocationRecord& record) override;
  /// Sends Lambda's SQS dead-letter message; fails as `Queue::send` does.
  Status put(const DeadLetter& letter) override;

 private:
  std::shared_ptr<Queue> owner_;  // null when the queue is only referred to
  Queue& queue_;
};

}  // namespace nanofaas::detail
