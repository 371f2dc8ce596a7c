// `jetstream_async_queues`: the configuration checked, the stream set up once, and a
// consumer and queue per function version.

#include <memory>
#include <string>
#include <utility>

#include "jetstream/event_queue.hpp"
#include "jetstream/stream_setup.hpp"
#include "nanofaas/jetstream_async_queue.hpp"

namespace nanofaas {
namespace detail {
namespace {

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, "jetstream_async_queues: " + message});
}

bool valid_subject_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.front() == '.' || prefix.back() == '.') return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = prefix[i];
    if (c == ' ' || c == '*' || c == '>' || c < 0x21 || (c == '.' && prefix[i + 1] == '.')) {
      return false;
    }
  }
  return true;
}

Status validate(const JetStreamAsyncQueueConfig& c) {
  using namespace std::chrono_literals;
  if (!valid_nats_name(c.stream)) return invalid("stream must be 1-255 of [A-Za-z0-9_-]");
  if (!valid_subject_prefix(c.subject_prefix)) {
    return invalid("subject_prefix must be NATS subject tokens without wildcards");
  }
  if (c.replicas < 1 || c.replicas > 5) return invalid("replicas must be 1-5");
  if (c.ack_wait < 1s || c.ack_wait > 12h) return invalid("ack_wait must be 1 s to 12 hours");
  if (c.max_in_flight < 1 || c.max_in_flight > 10000) {
    return invalid("max_in_flight must be 1-10000");
  }
  if (c.fetch_wait < 1ms || c.fetch_wait > 1min) return invalid("fetch_wait must be 1 ms to 1 min");
  return {};
}

/// The version's token in subjects and names: `LATEST` for $LATEST.
std::string version_token(std::string_view version) {
  return version == "$LATEST" ? "LATEST" : std::string(version);
}

/// Makes each version's queue; null when its consumer cannot be set up.
class EventQueueFactory {
 public:
  EventQueueFactory(std::shared_ptr<NatsConnection> connection, JetStreamAsyncQueueConfig config)
      : connection_(std::move(connection)), config_(std::move(config)) {}

  std::unique_ptr<AsyncQueue> operator()(std::string_view function, std::string_view version,
                                         std::size_t) const {
    const std::string token = version_token(version);
    std::string subject = config_.subject_prefix;
    subject.append(".").append(function).append(".").append(token);
    NatsSubscriptionPtr subscription;
    std::shared_ptr<const QueueReaderSpec> spec;
    if (config_.receive) {
      std::string consumer = config_.stream;
      consumer.append("_").append(function).append("_").append(token);
      if (!valid_nats_name(consumer)) return nullptr;
      auto ack_wait = ensure_consumer(*connection_, {.stream = config_.stream,
                                                     .durable = consumer,
                                                     .filter_subject = subject,
                                                     .ack_wait = config_.ack_wait,
                                                     .max_ack_pending = max_ack_pending(),
                                                     .replicas = config_.replicas,
                                                     .create = config_.create});
      if (!ack_wait) return nullptr;
      auto sub = bind_pull_subscription(*connection_, config_.stream, consumer);
      if (!sub) return nullptr;
      JetStreamQueueConfig queue{.stream = config_.stream,
                                 .consumer = consumer,
                                 .create = false,
                                 .replicas = config_.replicas,
                                 .visibility_timeout = *ack_wait,
                                 .prefetch = config_.max_in_flight,
                                 .fetch_wait = config_.fetch_wait};
      spec = std::make_shared<const QueueReaderSpec>(
          QueueReaderSpec{std::move(queue), *ack_wait, /*hold_until_settled=*/true});
      subscription = std::move(sub).value();
    }
    return std::make_unique<JetStreamEventQueue>(connection_, std::move(subject), config_.stream,
                                                 std::move(subscription), std::move(spec));
  }

 private:
  /// The consumer's limit: the configured one, or one no deployment reaches (the server's
  /// default of 1,000 would cap a few processes' `max_in_flight`).
  std::uint32_t max_ack_pending() const noexcept {
    return config_.max_ack_pending != 0 ? config_.max_ack_pending : 1000000;
  }

  std::shared_ptr<NatsConnection> connection_;
  JetStreamAsyncQueueConfig config_;
};

}  // namespace
}  // namespace detail

Expected<AsyncQueueFactory> jetstream_async_queues(const JetStream& jetstream,
                                                   JetStreamAsyncQueueConfig config) {
  using namespace detail;
  if (auto valid = validate(config); !valid) return Unexpected(std::move(valid).error());
  StreamSpec stream{.name = config.stream,
                    .subjects = {config.subject_prefix + ".>"},
                    .retention = js_WorkQueuePolicy,
                    .replicas = config.replicas,
                    .create = config.create};
  if (auto s = ensure_stream(*jetstream.connection(), stream); !s) {
    return Unexpected(std::move(s).error());
  }
  return AsyncQueueFactory(EventQueueFactory(jetstream.connection(), std::move(config)));
}

}  // namespace nanofaas
