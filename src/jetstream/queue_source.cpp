// The JetStream queue as a `Source`: its configuration checked, its streams and consumer set
// up once, and a reader (a bound pull subscription) per `open`.

#include <memory>
#include <string>
#include <utility>

#include "jetstream/queue_reader.hpp"
#include "jetstream/stream_setup.hpp"
#include "nanofaas/jetstream_queue.hpp"

namespace nanofaas {
namespace detail {
namespace {

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, "jetstream_queue_source: " + message});
}

Status validate(const JetStreamQueueConfig& c) {
  using namespace std::chrono_literals;
  if (!valid_nats_name(c.stream)) return invalid("stream must be 1-255 of [A-Za-z0-9_-]");
  if (!valid_nats_name(c.consumer)) return invalid("consumer must be 1-255 of [A-Za-z0-9_-]");
  if (c.replicas < 1 || c.replicas > 5) return invalid("replicas must be 1-5");
  if (c.visibility_timeout < 1ms || c.visibility_timeout > 12h) {
    return invalid("visibility_timeout must be 1 ms to 12 hours");
  }
  if (c.max_receive_count > 1000) return invalid("max_receive_count must be 0-1000");
  if ((c.max_receive_count != 0) != !c.dead_letter_stream.empty()) {
    return invalid("dead_letter_stream is required exactly when max_receive_count is set");
  }
  if (!c.dead_letter_stream.empty() &&
      (!valid_nats_name(c.dead_letter_stream) || c.dead_letter_stream == c.stream)) {
    return invalid("dead_letter_stream must be another stream's name");
  }
  if (c.max_in_flight < 1 || c.max_in_flight > 1000000) {
    return invalid("max_in_flight must be 1-1000000");
  }
  if (c.prefetch < 1 || c.prefetch > 10000) return invalid("prefetch must be 1-10000");
  if (c.fetch_wait < 1ms || c.fetch_wait > 1min) return invalid("fetch_wait must be 1 ms to 1 min");
  if (c.clock == nullptr) return invalid("no clock");
  return {};
}

class JetStreamQueueSource final : public Source {
 public:
  JetStreamQueueSource(std::shared_ptr<NatsConnection> connection,
                       std::shared_ptr<const QueueReaderSpec> spec)
      : connection_(std::move(connection)), spec_(std::move(spec)) {}

  SourceKind kind() const noexcept override { return SourceKind::queue; }
  std::string_view name() const noexcept override { return spec_->config.stream; }
  std::optional<std::chrono::nanoseconds> visibility_timeout() const noexcept override {
    return spec_->ack_wait;
  }
  Expected<std::unique_ptr<SourceReader>> open(ReaderOptions) override {
    auto sub = bind_pull_subscription(*connection_, spec_->config.stream, spec_->config.consumer);
    if (!sub) return Unexpected(std::move(sub).error());
    return std::unique_ptr<SourceReader>(
        std::make_unique<JetStreamQueueReader>(connection_, std::move(sub).value(), spec_));
  }

 private:
  std::shared_ptr<NatsConnection> connection_;
  std::shared_ptr<const QueueReaderSpec> spec_;
};

}  // namespace
}  // namespace detail

Expected<std::shared_ptr<Source>> jetstream_queue_source(const JetStream& jetstream,
                                                         JetStreamQueueConfig config) {
  using namespace detail;
  if (auto valid = validate(config); !valid) return Unexpected(std::move(valid).error());
  const NatsConnection& connection = *jetstream.connection();
  StreamSpec stream{.name = config.stream,
                    .subjects = config.subjects,
                    .retention = js_WorkQueuePolicy,
                    .replicas = config.replicas,
                    .create = config.create};
  if (stream.subjects.empty()) stream.subjects.push_back(config.stream);
  if (auto s = ensure_stream(connection, stream); !s) return Unexpected(std::move(s).error());
  if (!config.dead_letter_stream.empty()) {
    StreamSpec dead{.name = config.dead_letter_stream,
                    .subjects = {config.dead_letter_stream},
                    .retention = js_LimitsPolicy,
                    .replicas = config.replicas,
                    .create = config.create};
    if (auto s = ensure_stream(connection, dead); !s) return Unexpected(std::move(s).error());
  }
  auto ack_wait = ensure_consumer(connection, {.stream = config.stream,
                                               .durable = config.consumer,
                                               .ack_wait = config.visibility_timeout,
                                               .max_ack_pending = config.max_in_flight,
                                               .replicas = config.replicas,
                                               .create = config.create});
  if (!ack_wait) return Unexpected(std::move(ack_wait).error());
  auto spec = std::make_shared<QueueReaderSpec>(QueueReaderSpec{std::move(config), *ack_wait});
  return std::shared_ptr<Source>(
      std::make_shared<JetStreamQueueSource>(jetstream.connection(), std::move(spec)));
}

}  // namespace nanofaas
