#pragma once

// Streams and durable consumers a source or sink needs: found, or created when asked, with
// retries while a cluster elects its leaders.

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jetstream/nats_connection.hpp"
#include "jetstream/nats_handles.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// A stream as a source or sink wants it.
struct StreamSpec {
  std::string name{};
  std::vector<std::string> subjects{};  ///< empty: the name
  jsRetentionPolicy retention = js_LimitsPolicy;
  int replicas = 1;
  bool create = true;  ///< false: a missing stream is `not_found`
};

/// A durable pull consumer as a source wants it.
struct ConsumerSpec {
  std::string stream{};
  std::string durable{};
  std::string filter_subject{};  ///< empty: every subject of the stream
  jsAckPolicy ack_policy = js_AckExplicit;
  std::chrono::nanoseconds ack_wait{};
  std::uint32_t max_ack_pending = 0;  ///< 0: the server's default
  jsDeliverPolicy deliver_policy = js_DeliverAll;
  std::uint64_t start_seq = 0;     ///< for `js_DeliverByStartSequence`
  std::int64_t start_time_ns = 0;  ///< wall-clock, for `js_DeliverByStartTime`
  int replicas = 1;
  bool create = true;
};

/// The stream exists afterwards (created with `spec` when missing and allowed).
[[nodiscard]] Status ensure_stream(const NatsConnection& connection, const StreamSpec& spec);
/// The consumer exists afterwards; returns its ack wait (an existing consumer keeps its own).
[[nodiscard]] Expected<std::chrono::nanoseconds> ensure_consumer(const NatsConnection& connection,
                                                                 const ConsumerSpec& spec);
/// Recreates `spec`'s consumer so that it delivers from its ack floor on (the record after
/// the last one acked), in order, forgetting what it had delivered and not had acked. Where
/// to start is read from its info into `spec` once (`known`, so that a retry after the
/// delete still knows it); a missing consumer is created as `spec` says. Retries transient
/// failures for `patience` in all, each request waiting no longer.
[[nodiscard]] Status rewind_consumer(const NatsConnection& connection, ConsumerSpec& spec,
                                     bool& known, std::chrono::milliseconds patience);
/// A pull subscription bound to the existing consumer `durable` of `stream` (never creating
/// nor, when closed, deleting it), retried while the cluster cannot answer (for `patience`,
/// each request waiting no longer; unset: `retry_for`, as long as a request waits).
[[nodiscard]] Expected<NatsSubscriptionPtr> bind_pull_subscription(
    const NatsConnection& connection, const std::string& stream, const std::string& durable,
    std::optional<std::chrono::milliseconds> patience = std::nullopt);
/// True for a name NATS accepts for a stream, consumer or bucket: 1-255 of [A-Za-z0-9_-].
[[nodiscard]] bool valid_nats_name(const std::string& name) noexcept;

}  // namespace nanofaas::detail
