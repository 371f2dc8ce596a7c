// Destination records and dead letters published to JetStream, acknowledged before `put`
// returns, so an event is settled only once its outcome is stored.

#include <memory>
#include <string>
#include <utility>

#include "jetstream/nats_connection.hpp"
#include "jetstream/publisher.hpp"
#include "jetstream/stream_setup.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/jetstream_record_sink.hpp"

namespace nanofaas {
namespace detail {
namespace {

class JetStreamRecordSink final : public RecordSink {
 public:
  JetStreamRecordSink(std::shared_ptr<NatsConnection> connection, JetStreamRecordSinkConfig config)
      : connection_(std::move(connection)), config_(std::move(config)) {}

  Status put(const InvocationRecord& record) override {
    std::string id = record.request_id.to_string();
    id.append(":").append(record.condition);
    PublishOptions options{.message_id = id, .expected_stream = config_.stream};
    add_trace(options, record.trace);
    return published(publish_acknowledged(*connection_, config_.subject, record.json, options));
  }

  Status put(const DeadLetter& letter) override {
    std::string request_id = letter.request_id.to_string();
    std::string id = request_id;
    id.append(":dead-letter");
    PublishOptions options{.message_id = id, .expected_stream = config_.stream};
    options.headers = {{"RequestID", std::move(request_id)},
                       {"ErrorCode", std::string(letter.error_code)},
                       {"ErrorMessage", one_line(letter.error_message)}};
    add_trace(options, letter.trace);
    return published(
        publish_acknowledged(*connection_, config_.subject, PayloadView(letter.payload), options));
  }

 private:
  static void add_trace(PublishOptions& options, const TraceContext& trace) {
    if (trace.valid()) options.headers.push_back({"traceparent", trace.traceparent()});
  }
  // A header value is one line: line breaks in an error message become spaces.
  static std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return out;
  }
  static Status published(Expected<std::uint64_t>&& sequence) {
    if (!sequence) return Unexpected(std::move(sequence).error());
    return {};
  }

  std::shared_ptr<NatsConnection> connection_;
  JetStreamRecordSinkConfig config_;
};

}  // namespace
}  // namespace detail

Expected<std::shared_ptr<RecordSink>> jetstream_record_sink(const JetStream& jetstream,
                                                            JetStreamRecordSinkConfig config) {
  using namespace detail;
  if (!valid_nats_name(config.stream)) {
    return Unexpected(Error{Errc::invalid_argument,
                            "jetstream_record_sink: stream must be 1-255 of [A-Za-z0-9_-]"});
  }
  if (config.replicas < 1 || config.replicas > 5) {
    return Unexpected(Error{Errc::invalid_argument, "jetstream_record_sink: replicas must be 1-5"});
  }
  if (config.subject.empty()) config.subject = config.stream;
  const StreamSpec stream{.name = config.stream,
                          .subjects = {config.subject},
                          .retention = js_LimitsPolicy,
                          .replicas = config.replicas,
                          .create = config.create};
  if (auto s = ensure_stream(*jetstream.connection(), stream); !s) {
    return Unexpected(std::move(s).error());
  }
  return std::shared_ptr<RecordSink>(
      std::make_shared<JetStreamRecordSink>(jetstream.connection(), std::move(config)));
}

}  // namespace nanofaas
