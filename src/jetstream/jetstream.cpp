#include "nanofaas/jetstream.hpp"

#include <utility>

#include "jetstream/nats_connection.hpp"
#include "jetstream/publisher.hpp"

namespace nanofaas {

Expected<JetStream> JetStream::connect(JetStreamOptions options) {
  auto connection = detail::NatsConnection::connect(std::move(options));
  if (!connection) return Unexpected(std::move(connection).error());
  return JetStream(std::move(connection).value());
}

JetStream::JetStream(std::shared_ptr<detail::NatsConnection> connection) noexcept
    : connection_(std::move(connection)) {}

Expected<std::uint64_t> JetStream::publish(std::string_view subject, PayloadView body,
                                           const PublishOptions& options) const {
  return detail::publish_acknowledged(*connection_, subject, body, options);
}

bool JetStream::connected() const noexcept {
  return connection_->connected();
}

std::uint64_t JetStream::reconnects() const noexcept {
  return connection_->reconnects();
}

const JetStreamOptions& JetStream::options() const noexcept {
  return connection_->options();
}

}  // namespace nanofaas
