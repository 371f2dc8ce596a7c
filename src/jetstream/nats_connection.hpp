#pragma once

#include <cstdint>
#include <memory>

#include "jetstream/nats_handles.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/jetstream.hpp"

namespace nanofaas::detail {

/// One NATS connection with its JetStream context, shared by every source, reader and sink
/// made from the same `JetStream` handle. Reconnects forever after a drop; the C client's
/// own threads read the socket and flush what is published.
class NatsConnection {
 public:
  /// Connects (see `JetStream::connect`).
  static Expected<std::shared_ptr<NatsConnection>> connect(JetStreamOptions options);

  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;
  ~NatsConnection();

  [[nodiscard]] natsConnection* nc() const noexcept { return nc_.get(); }
  [[nodiscard]] jsCtx* js() const noexcept { return js_.get(); }
  [[nodiscard]] const JetStreamOptions& options() const noexcept { return options_; }
  [[nodiscard]] bool connected() const noexcept;
  [[nodiscard]] std::uint64_t reconnects() const noexcept;

 private:
  NatsConnection(JetStreamOptions options, NatsOptionsPtr opts, NatsConnectionPtr nc,
                 JsCtxPtr js) noexcept;

  JetStreamOptions options_;
  NatsOptionsPtr opts_;
  NatsConnectionPtr nc_;
  JsCtxPtr js_;
};

}  // namespace nanofaas::detail
