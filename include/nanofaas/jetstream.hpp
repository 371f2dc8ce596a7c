#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/record.hpp"

namespace nanofaas {

namespace detail {
class NatsConnection;
}

/// How to reach NATS servers with JetStream: one server or several of a cluster.
struct JetStreamOptions {
  /// Server URLs ("nats://host:port"), at least one. Connecting tries each once; after a
  /// drop the client reconnects to any of them (and to servers the cluster announces) forever.
  std::vector<std::string> servers{"nats://127.0.0.1:4222"};
  /// The connection's name in the servers' monitoring.
  std::string name = "nanofaas";
  /// How long connecting waits for each server.
  std::chrono::milliseconds connect_timeout{2000};
  /// The pause between two rounds of reconnect attempts over every server.
  std::chrono::milliseconds reconnect_wait{250};
  /// How long a JetStream request (a stream or consumer call, a publish's acknowledgement)
  /// waits for its answer.
  std::chrono::milliseconds request_timeout{5000};
  /// How long setting up streams and consumers, and a publish, go on retrying while the
  /// cluster cannot answer (a leader election, a server restarting) before failing with
  /// `unavailable`.
  std::chrono::milliseconds retry_for{15000};
};

/// Options of one `JetStream::publish`.
struct PublishOptions {
  /// `Nats-Msg-Id`: the stream drops a second message with the same id within its
  /// duplicate window (2 minutes by default). Empty: no deduplication.
  std::string_view message_id{};
  /// Headers sent with the message (a queue source reads them as `Record::attributes`).
  std::vector<RecordAttribute> headers{};
  /// The stream that must store it (`Nats-Expected-Stream`); empty: any.
  std::string_view expected_stream{};
};

/// A connection to NATS with a JetStream context, which JetStream sources and sinks share. A
/// copyable handle: the connection closes when the last handle, source, reader and sink
/// using it are gone. Thread-safe.
class NANOFAAS_API JetStream {
 public:
  /// Connects to the first server of `options.servers` that answers. Fails with
  /// `invalid_argument` (no server, a bad option) or `unavailable` (none reachable: each is
  /// tried once, for `connect_timeout` at most, never waited for).
  [[nodiscard]] static Expected<JetStream> connect(JetStreamOptions options);

  /// Publishes `body` to `subject` and waits for the stream's acknowledgement (up to
  /// `request_timeout`, retried while a leader is being elected); returns the message's
  /// stream sequence. Blocks the calling thread. Fails with `invalid_argument` (bad subject
  /// or header), `not_found` (no stream takes the subject) or `unavailable`.
  [[nodiscard]] Expected<std::uint64_t> publish(std::string_view subject, PayloadView body,
                                                const PublishOptions& options = {}) const;
  /// True while connected; false while reconnecting.
  [[nodiscard]] bool connected() const noexcept;
  /// How many times the connection was re-established after a drop.
  [[nodiscard]] std::uint64_t reconnects() const noexcept;
  /// The options it was made with.
  [[nodiscard]] const JetStreamOptions& options() const noexcept;

  /// The shared connection, for the component's own sources and sinks (opaque elsewhere).
  [[nodiscard]] const std::shared_ptr<detail::NatsConnection>& connection() const noexcept {
    return connection_;
  }

 private:
  explicit JetStream(std::shared_ptr<detail::NatsConnection> connection) noexcept;
  std::shared_ptr<detail::NatsConnection> connection_;
};

}  // namespace nanofaas
