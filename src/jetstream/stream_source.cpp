// The JetStream stream as a `Source`: its stream and lease bucket set up once; per `open`,
// a consumer per shard (starting where the reader asks, if new), bound subscriptions and
// leases. Also the producer's side: a record published to its partition key's shard.

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "jetstream/lease.hpp"
#include "jetstream/publisher.hpp"
#include "jetstream/stream_reader.hpp"
#include "jetstream/stream_setup.hpp"
#include "nanofaas/jetstream_stream.hpp"

namespace nanofaas {
namespace detail {
namespace {

Unexpected<Error> invalid(std::string message) {
  std::string text("jetstream_stream_source: ");
  text.append(message);
  return Unexpected(Error{Errc::invalid_argument, std::move(text)});
}

Status validate(const JetStreamStreamConfig& c) {
  using namespace std::chrono_literals;
  if (!valid_nats_name(c.stream)) return invalid("stream must be 1-255 of [A-Za-z0-9_-]");
  if (!valid_nats_name(c.group)) return invalid("group must be 1-255 of [A-Za-z0-9_-]");
  if (!valid_nats_name(c.lease_bucket)) return invalid("lease_bucket: 1-255 of [A-Za-z0-9_-]");
  if (c.shards < 1 || c.shards > 256) return invalid("shards must be 1-256");
  if (c.replicas < 1 || c.replicas > 5) return invalid("replicas must be 1-5");
  if (c.lease_duration < 1s || c.lease_duration > 10min) {
    return invalid("lease_duration must be 1 s to 10 min");
  }
  if (c.ack_wait < 1ms) return invalid("ack_wait must be at least 1 ms");
  if (c.prefetch < 1 || c.prefetch > 10000) return invalid("prefetch must be 1-10000");
  if (c.fetch_wait < 1ms || c.fetch_wait > 1min) return invalid("fetch_wait must be 1 ms to 1 min");
  if (c.clock == nullptr) return invalid("no clock");
  return {};
}

/// "<stream>.<shard>".
std::string shard_subject(std::string_view stream, std::uint32_t shard) {
  std::string subject(stream);
  subject.append(".").append(std::to_string(shard));
  return subject;
}

/// A name for this reader's leases, unique across processes.
std::string new_owner() {
  std::random_device random;
  std::string owner;
  for (int i = 0; i < 4; ++i) owner.append(std::to_string(random()));
  return owner;
}

/// A `Nats-Msg-Id` for one put, unique across processes (a random prefix drawn once, the
/// process id, for a child forked after it, and a count), so that a publish retried after its
/// acknowledgement was lost is stored once.
std::string new_put_id() {
  static const std::string prefix = new_owner();
  static std::atomic<std::uint64_t> count{0};
  std::string id = prefix;
  id.append("-").append(std::to_string(::getpid())).append("-");
  id.append(std::to_string(count.fetch_add(1, std::memory_order_relaxed)));
  return id;
}

class JetStreamStreamSource final : public Source {
 public:
  JetStreamStreamSource(std::shared_ptr<NatsConnection> connection,
                        std::shared_ptr<const JetStreamStreamConfig> config,
                        std::shared_ptr<LeaseBucket> leases)
      : connection_(std::move(connection)),
        config_(std::move(config)),
        leases_(std::move(leases)) {}

  SourceKind kind() const noexcept override { return SourceKind::stream; }
  std::string_view name() const noexcept override { return config_->stream; }
  Expected<std::unique_ptr<SourceReader>> open(ReaderOptions options) override {
    const JetStreamStreamConfig& c = *config_;
    // A shard's reader bounds what it holds (prefetch, then its checkpoints), so the server's
    // default MaxAckPending (1,000) must not stall a larger prefetch.
    ConsumerSpec spec{.stream = c.stream,
                      .ack_policy = js_AckAll,
                      .ack_wait = c.ack_wait,
                      .max_ack_pending = 1000000,
                      .replicas = c.replicas,
                      .create = c.create};
    switch (options.starting_position) {
      case StartingPosition::trim_horizon: spec.deliver_policy = js_DeliverAll; break;
      case StartingPosition::latest: spec.deliver_policy = js_DeliverNew; break;
      case StartingPosition::at_timestamp: {
        // The consumer wants wall-clock time; the option is by the source's clock.
        spec.deliver_policy = js_DeliverByStartTime;
        const auto wall = std::chrono::system_clock::now() - (c.clock->now() - options.timestamp);
        spec.start_time_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count();
        break;
      }
    }
    const std::string owner = new_owner();
    std::vector<StreamLane> lanes(c.shards);
    for (std::uint32_t i = 0; i < c.shards; ++i) {
      spec.durable = c.group;
      spec.durable.append("-").append(std::to_string(i));
      spec.filter_subject = shard_subject(c.stream, i);
      auto sub = bind_consumer(spec);
      if (!sub) return Unexpected(std::move(sub).error());
      lanes[i].subscription = std::move(sub).value();
      lanes[i].consumer = spec;
      std::string key = c.stream;
      key.append(".").append(c.group).append(".").append(std::to_string(i));
      lanes[i].lease = std::make_unique<Lease>(leases_, std::move(key), owner);
    }
    return std::unique_ptr<SourceReader>(
        std::make_unique<JetStreamStreamReader>(connection_, config_, std::move(lanes)));
  }

 private:
  // The shard's holder recreates its consumer when it takes the lease: a bind that falls
  // between the delete and the create finds none, and is tried again.
  Expected<NatsSubscriptionPtr> bind_consumer(const ConsumerSpec& spec) {
    for (int attempt = 0;; ++attempt) {
      if (auto made = ensure_consumer(*connection_, spec); !made) {
        return Unexpected(std::move(made).error());
      }
      auto sub = bind_pull_subscription(*connection_, spec.stream, spec.durable);
      if (sub || sub.error().code != Errc::not_found || attempt == 2) return sub;
    }
  }

  std::shared_ptr<NatsConnection> connection_;
  std::shared_ptr<const JetStreamStreamConfig> config_;
  std::shared_ptr<LeaseBucket> leases_;
};

/// FNV-1a 64, as the in-memory `Stream` picks shards, so both agree on a key's shard.
std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace
}  // namespace detail

Expected<std::shared_ptr<Source>> jetstream_stream_source(const JetStream& jetstream,
                                                          JetStreamStreamConfig config) {
  using namespace detail;
  if (auto valid = validate(config); !valid) return Unexpected(std::move(valid).error());
  std::string all = config.stream;
  all.append(".*");
  const StreamSpec stream{.name = config.stream,
                          .subjects = {all},
                          .retention = js_LimitsPolicy,
                          .replicas = config.replicas,
                          .create = config.create};
  if (auto s = ensure_stream(*jetstream.connection(), stream); !s) {
    return Unexpected(std::move(s).error());
  }
  auto leases = LeaseBucket::open(jetstream.connection(), config.lease_bucket,
                                  config.lease_duration, config.replicas, config.create);
  if (!leases) return Unexpected(std::move(leases).error());
  return std::shared_ptr<Source>(std::make_shared<JetStreamStreamSource>(
      jetstream.connection(), std::make_shared<const JetStreamStreamConfig>(std::move(config)),
      std::move(leases).value()));
}

Expected<PutRecordResult> jetstream_put_record(const JetStream& jetstream, std::string_view stream,
                                               std::uint32_t shards, std::string_view partition_key,
                                               PayloadView data) {
  if (shards == 0 || partition_key.empty() || partition_key.size() > stream_max_partition_key) {
    return Unexpected(Error{Errc::invalid_argument,
                            "jetstream_put_record: the partition key must be 1-256 bytes, with "
                            "at least one shard"});
  }
  const auto shard = static_cast<std::uint32_t>(detail::fnv1a(partition_key) % shards);
  const std::string id = detail::new_put_id();
  PublishOptions options{.message_id = id,
                         .headers = {{"Nanofaas-Partition-Key", std::string(partition_key)}},
                         .expected_stream = stream};
  auto seq = jetstream.publish(detail::shard_subject(stream, shard), data, options);
  if (!seq) return Unexpected(std::move(seq).error());
  return PutRecordResult{.shard = shard, .sequence_number = *seq};
}

}  // namespace nanofaas
