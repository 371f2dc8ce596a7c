#include "async/queue_record_sink.hpp"

#include <memory>
#include <string>
#include <utility>

#include "common/fail.hpp"
#include "common/record_queue.hpp"

namespace nanofaas {
namespace detail {
namespace {

/// Success, or the send's error.
Status sent(Expected<std::string>&& message_id) {
  if (!message_id) return Unexpected(std::move(message_id).error());
  return {};
}

}  // namespace

Status QueueRecordSink::put(const InvocationRecord& record) {
  SendOptions options;
  options.trace = record.trace;
  return sent(queue_.send(Payload::copy_of(record.json), std::move(options)));
}

Status QueueRecordSink::put(const DeadLetter& letter) {
  // Lambda's SQS dead-letter message: the event as it came, the reason in attributes.
  SendOptions options;
  options.attributes = {{"RequestID", letter.request_id.to_string()},
                        {"ErrorCode", std::string(letter.error_code)},
                        {"ErrorMessage", std::string(letter.error_message)}};
  options.trace = letter.trace;
  return sent(queue_.send(Payload::copy_of(letter.payload), std::move(options)));
}

}  // namespace detail

Expected<std::shared_ptr<RecordSink>> queue_record_sink(std::shared_ptr<Queue> queue) {
  if (queue == nullptr) return detail::fail(Errc::invalid_argument, "queue_record_sink: no queue");
  if (auto s = detail::validate_record_queue(queue.get(), "queue_record_sink"); !s) {
    return Unexpected(std::move(s).error());
  }
  return std::shared_ptr<RecordSink>(std::make_shared<detail::QueueRecordSink>(std::move(queue)));
}

}  // namespace nanofaas
