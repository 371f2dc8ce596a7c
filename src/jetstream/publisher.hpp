#pragma once

#include <cstdint>
#include <string_view>

#include "jetstream/nats_connection.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas::detail {

/// Publishes a message with `options`' headers and waits for the stream's acknowledgement,
/// retrying while the cluster cannot answer (`JetStreamOptions::retry_for`); returns its
/// stream sequence. A duplicate (same `message_id`) returns the first one's sequence.
[[nodiscard]] Expected<std::uint64_t> publish_acknowledged(const NatsConnection& connection,
                                                           std::string_view subject,
                                                           PayloadView body,
                                                           const PublishOptions& options);

}  // namespace nanofaas::detail
