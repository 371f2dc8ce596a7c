#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/record.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas {

class Queue;
class RecordSink;

/// Lambda's asynchronous invocation record, as an `OnSuccess` / `OnFailure` destination gets
/// it. `json` is the record in Lambda's shape; the other fields are views into it or the event,
/// valid during the sink call only.
struct InvocationRecord {
  /// "Success", "RetriesExhausted" (also for reserved concurrency 0 and recursive loops) or
  /// "EventAgeExceeded".
  std::string_view condition{};
  RequestId request_id{};
  std::string_view function_name{};
  std::string_view executed_version{};
  std::uint32_t approximate_invoke_count = 0;
  std::string_view request_payload{};
  std::string_view response_payload{};  ///< the response, or `{"errorType":…,"errorMessage":…}`
  std::string_view function_error{};    ///< "Handled", "Unhandled", or empty
  /// From an event source mapping: the records skipped (views valid during the sink call).
  std::span<const Record> records{};
  std::string json{};
  /// The trace the record continues (its `span_id`: the delivery's span): a destination
  /// function's event, and a queue's message (as `Record::trace`), carry it.
  TraceContext trace{};
};

/// What a dead-letter sink gets: the original event and Lambda's message attributes.
struct DeadLetter {
  RequestId request_id{};
  std::string_view function_name{};
  std::string_view error_code{};     ///< e.g. "200" (function error), "EventAgeExceeded"
  std::string_view error_message{};  ///< first 1 KB
  std::string_view payload{};
  /// The event's trace (its `span_id`: the delivery's span); a dead-letter queue's message
  /// carries it.
  TraceContext trace{};
};

/// Where an outcome goes: another function (invoked asynchronously with the record as its
/// event), a standard queue (the record's JSON sent as a message, as to Lambda's SQS
/// destination), a record sink and/or a callback; empty when none is set. A sink runs on a
/// worker thread: keep it short and do not block. A FIFO queue is refused when the
/// configuration is set (Lambda accepts one and then fails every delivery to it).
struct Destination {
  std::string function{};
  std::shared_ptr<Queue> queue{};
  std::function<void(const InvocationRecord&)> sink{};
  /// Gets the record after the queue, at the event's chain depth (see `RecordSink`).
  std::shared_ptr<RecordSink> record_sink{};
  [[nodiscard]] bool empty() const noexcept {
    return function.empty() && !queue && !sink && !record_sink;
  }
};

/// Lambda's event invoke configuration of a function.
struct AsyncConfig {
  /// `MaximumRetryAttempts` after a function error: 0 to 2.
  std::uint32_t maximum_retry_attempts = 2;
  /// Delay before retry k (the last one repeats): Lambda's 1 minute, then 2 minutes.
  std::vector<std::chrono::nanoseconds> retry_delays{std::chrono::minutes(1),
                                                     std::chrono::minutes(2)};
  /// `MaximumEventAgeInSeconds`: an event older than this is not run (at most 6 hours; shorter
  /// than Lambda's 60 s minimum is allowed in-process).
  std::chrono::nanoseconds maximum_event_age = std::chrono::hours(6);
  Destination on_success{};
  Destination on_failure{};
  /// The dead-letter callback: gets events whose processing failed, as Lambda's DLQ.
  std::function<void(const DeadLetter&)> dead_letter{};
  /// The dead-letter queue (standard, not FIFO): gets the failed event's payload as a message
  /// with the attributes `RequestID`, `ErrorCode` and `ErrorMessage`, as Lambda's SQS DLQ.
  std::shared_ptr<Queue> dead_letter_queue{};
  /// The dead-letter sink: gets each failed event as a `DeadLetter`, after the queue.
  std::shared_ptr<RecordSink> dead_letter_sink{};
  /// Events waiting in the function's queue at most; a full queue refuses new ones.
  std::size_t max_queue_depth = 100000;

  /// True when every setting is the default: no configuration was given.
  [[nodiscard]] bool is_default() const {
    const AsyncConfig defaults;
    return maximum_retry_attempts == defaults.maximum_retry_attempts &&
           retry_delays == defaults.retry_delays &&
           maximum_event_age == defaults.maximum_event_age && on_success.empty() &&
           on_failure.empty() && !dead_letter && !dead_letter_queue && !dead_letter_sink &&
           max_queue_depth == defaults.max_queue_depth;
  }
};

}  // namespace nanofaas
