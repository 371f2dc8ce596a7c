#pragma once

#include <memory>

#include "nanofaas/async_config.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

class Queue;

/// Where a destination's invocation records (`Destination::record_sink`) and a function's dead
/// letters (`AsyncConfig::dead_letter_sink`) go: the place for an external broker. Both members
/// are called on worker threads at once: thread-safe, short, and never blocking.
class NANOFAAS_API RecordSink {
 public:
  virtual ~RecordSink() = default;
  /// Takes an `OnSuccess` / `OnFailure` record (views valid during the call only). An error
  /// or an exception counts in `DestinationDeliveryFailures`.
  virtual Status put(const InvocationRecord& record) = 0;
  /// Takes a dead letter (views valid during the call only). An error or an exception counts
  /// in `DeadLetterErrors`.
  virtual Status put(const DeadLetter& letter) = 0;
};

/// The in-memory sink: a record's JSON as a message of `queue`, a dead letter as Lambda's SQS
/// dead-letter message (the event, with attributes `RequestID`, `ErrorCode`, `ErrorMessage`).
/// Fails with `invalid_argument` for no queue or a FIFO queue (Lambda sends records to neither).
[[nodiscard]] NANOFAAS_API Expected<std::shared_ptr<RecordSink>> queue_record_sink(
    std::shared_ptr<Queue> queue);

}  // namespace nanofaas
