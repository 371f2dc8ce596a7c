#include "nanofaas/stream.hpp"

#include <mutex>
#include <utility>

#include "common/hash.hpp"
#include "runtime/chain_depth.hpp"
#include "source/stream_reader.hpp"
#include "source/stream_state.hpp"
#include "source/validation.hpp"

namespace nanofaas {
namespace {

constexpr std::uint32_t max_shards = 1024;
constexpr std::size_t max_name = 128;

}  // namespace

Stream::Stream(std::shared_ptr<detail::StreamState> state) noexcept : state_(std::move(state)) {}

Stream::~Stream() = default;

Expected<std::shared_ptr<Stream>> Stream::create(StreamConfig config) {
  using detail::invalid;
  if (!detail::valid_name(config.name, max_name, ".")) {
    return invalid("stream name must be 1-128 characters of [A-Za-z0-9_.-]");
  }
  if (config.shards == 0 || config.shards > max_shards) {
    return invalid("shards must be between 1 and 1024");
  }
  if (config.retention.count() <= 0) return invalid("retention must be positive");
  if (config.max_records_per_shard == 0) return invalid("max_records_per_shard must be positive");
  if (config.clock == nullptr) return invalid("clock must not be null");
  return std::shared_ptr<Stream>(
      new Stream(std::make_shared<detail::StreamState>(std::move(config))));
}

Expected<PutRecordResult> Stream::put_record(std::string_view partition_key, Payload data) {
  if (partition_key.empty() || partition_key.size() > stream_max_partition_key) {
    return detail::invalid("partition key must be 1-256 bytes");
  }
  if (data.size() > stream_max_record_size) {
    return Unexpected(Error{Errc::request_too_large, "record larger than 1 MiB"});
  }
  detail::StreamState& st = *state_;
  const StreamConfig& config = st.config();
  const std::uint32_t s = shard_for(partition_key);
  detail::StreamShard& shard = st.shard(s);
  // The sender's trace, if it has one (a handler's, a `TraceScope`'s).
  const detail::ChainSlot chain = detail::current_chain();
  const TraceContext trace = chain.trace != nullptr ? *chain.trace : TraceContext{};
  std::shared_ptr<const detail::Listeners> to_wake;
  std::uint64_t seq = 0;
  {
    std::lock_guard guard(shard);
    // Read under the lock, so arrival times never decrease within a shard.
    const Clock::time_point now = config.clock->now();
    shard.trim(now, config.retention);
    if (shard.retained() >= config.max_records_per_shard) {
      return Unexpected(
          Error{Errc::resource_exhausted, "shard of stream " + config.name + " is full"});
    }
    seq = shard.append(partition_key, std::move(data), now, trace);
    to_wake = shard.listeners();
  }
  detail::wake(to_wake);
  return PutRecordResult{s, seq};
}

Expected<PutRecordResult> Stream::put_record(std::string_view partition_key, PayloadView data) {
  if (data.size() > stream_max_record_size) {
    return Unexpected(Error{Errc::request_too_large, "record larger than 1 MiB"});
  }
  return put_record(partition_key, Payload::copy_of(data.view()));
}

std::uint32_t Stream::shard_for(std::string_view partition_key) const noexcept {
  return static_cast<std::uint32_t>(detail::fnv1a(partition_key) % state_->shard_count());
}

std::uint32_t Stream::shard_count() const noexcept {
  return state_->shard_count();
}

std::uint64_t Stream::records_expired() const noexcept {
  return state_->expired();
}

std::size_t Stream::approximate_retained(std::uint32_t shard) const {
  if (shard >= state_->shard_count()) return 0;
  detail::StreamShard& s = state_->shard(shard);
  std::lock_guard guard(s);
  return static_cast<std::size_t>(s.retained());
}

SourceKind Stream::kind() const noexcept {
  return SourceKind::stream;
}

std::string_view Stream::name() const noexcept {
  return state_->config().name;
}

Expected<std::unique_ptr<SourceReader>> Stream::open(ReaderOptions options) {
  return std::unique_ptr<SourceReader>(std::make_unique<detail::StreamReader>(state_, options));
}

}  // namespace nanofaas
