#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas {

namespace detail {
struct StreamState;
}

/// The largest record a stream accepts (Kinesis: 1 MiB).
inline constexpr std::size_t stream_max_record_size = std::size_t{1} << 20;
/// The longest partition key (Kinesis: 256).
inline constexpr std::size_t stream_max_partition_key = 256;

/// A stream's configuration (Kinesis `CreateStream`).
struct StreamConfig {
  /// 1-128 of [A-Za-z0-9_.-].
  std::string name{};
  /// 1-1024 shards, each read in order on its own.
  std::uint32_t shards = 1;
  /// Records older than this (by `clock`) may be trimmed; must be positive.
  std::chrono::nanoseconds retention = std::chrono::hours(24);
  /// The bound per shard (at least 1): `put_record` fails with `resource_exhausted` while a
  /// shard retains this many records.
  std::size_t max_records_per_shard = 1'000'000;
  /// The clock for arrival times and retention (not null).
  const Clock* clock = &Clock::steady();
};

/// Where `Stream::put_record` stored a record.
struct PutRecordResult {
  std::uint32_t shard = 0;
  /// Increasing within the shard, from 1.
  std::uint64_t sequence_number = 0;
};

/// An in-memory Kinesis-like stream: records sharded by partition key, numbered per shard,
/// kept for the retention period. Every member is thread-safe and non-blocking (one short
/// lock per shard and call). Each reader (`open`) reads every record with its own position
/// and checkpoint per shard. Records a reader polled and has not checkpointed are never
/// trimmed; a record trimmed before a reader reached it is counted in `records_expired`.
class NANOFAAS_API Stream final : public Source {
 public:
  /// A stream. Fails with `invalid_argument` for a bad name, shard count, retention or bound.
  [[nodiscard]] static Expected<std::shared_ptr<Stream>> create(StreamConfig config);

  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  /// Readers keep the records alive after the `Stream` is gone.
  ~Stream() override;

  /// Appends `data` (moved in, no copy) to the shard of `partition_key` and calls the
  /// readers' listeners. Fails with `invalid_argument` (key not 1-256 bytes),
  /// `request_too_large` (over `stream_max_record_size`) or `resource_exhausted` (the shard
  /// holds `max_records_per_shard` records retention does not let go).
  [[nodiscard]] Expected<PutRecordResult> put_record(std::string_view partition_key, Payload data);
  /// As above, copying `data` once.
  [[nodiscard]] Expected<PutRecordResult> put_record(std::string_view partition_key,
                                                     PayloadView data);
  /// The shard `partition_key` goes to: FNV-1a 64 of the key modulo the shard count, the same
  /// in every process.
  [[nodiscard]] std::uint32_t shard_for(std::string_view partition_key) const noexcept;
  /// The number of shards.
  [[nodiscard]] std::uint32_t shard_count() const noexcept;
  /// Records trimmed by retention before a reader had read them, summed over readers (each
  /// reader continues at the oldest record left). Counted when the reader next polls.
  [[nodiscard]] std::uint64_t records_expired() const noexcept;
  /// Records `shard` retains now (trimming is lazy, so possibly some past retention).
  [[nodiscard]] std::size_t approximate_retained(std::uint32_t shard) const;

  /// `SourceKind::stream`.
  [[nodiscard]] SourceKind kind() const noexcept override;
  /// The stream's name.
  [[nodiscard]] std::string_view name() const noexcept override;
  /// A reader with one lane per shard, starting at `options.starting_position` in each.
  /// `nack` moves a lane's read position back to the lowest of the records; `checkpoint` also
  /// moves the read position past the checkpoint. Never fails.
  [[nodiscard]] Expected<std::unique_ptr<SourceReader>> open(ReaderOptions options) override;

 private:
  explicit Stream(std::shared_ptr<detail::StreamState> state) noexcept;
  std::shared_ptr<detail::StreamState> state_;
};

}  // namespace nanofaas
