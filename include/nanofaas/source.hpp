#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/record.hpp"

namespace nanofaas {

/// What kind of source a mapping reads: its failure and ordering rules follow from it.
enum class SourceKind : std::uint8_t {
  queue,       ///< SQS standard: unordered, at-least-once, visibility timeout
  fifo_queue,  ///< SQS FIFO: in order per message group, one batch in flight per group
  stream,      ///< Kinesis: shards of sequence-numbered records, read in order, checkpointed
};

/// Where a new reader of a stream starts (Lambda's `StartingPosition`). Queues ignore it.
enum class StartingPosition : std::uint8_t {
  trim_horizon,  ///< the oldest record still retained
  latest,        ///< records added after the reader opened
  at_timestamp,  ///< the first record that arrived at or after a timestamp
};

/// How a reader starts.
struct ReaderOptions {
  StartingPosition starting_position = StartingPosition::latest;
  /// For `at_timestamp`, by the source's clock.
  Clock::time_point timestamp{};
};

/// One consumer's view of a source: what an event source mapping polls. A stream gives each
/// reader its own position and checkpoints; readers of a queue compete for its messages.
/// Every member is thread-safe and non-blocking, so a reader can be polled from a worker's
/// fiber. Every polled record is handed back exactly once, by `ack`, `nack` or `release`
/// (streams: or a `checkpoint` at or past it); until then its views stay valid, even when a
/// queue's visibility timeout ran out and another reader received and deleted the message.
class NANOFAAS_API SourceReader {
 public:
  virtual ~SourceReader() = default;

  /// Lanes that are read independently, each in order: a stream's shards; 1 for a queue.
  [[nodiscard]] virtual std::uint32_t lanes() const noexcept = 0;
  /// Appends up to `max` available records of `lane` to `out`; returns how many. Never blocks.
  /// Queue: each record becomes invisible for the visibility timeout and its receive count
  /// grows; a message past `maxReceiveCount` moves to the dead-letter queue instead. FIFO:
  /// only messages of groups with nothing in flight. Stream: the records after the lane's
  /// read position, which moves past them.
  virtual std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) = 0;
  /// Records were processed. Queue: deletes them. Stream: nothing (see `checkpoint`).
  virtual void ack(std::span<const Record> records) = 0;
  /// Records were not processed. Queue: they become visible again after `delay` (a FIFO group
  /// is unblocked when none of its messages is in flight). Stream: the lane's read position
  /// moves back to the lowest of them, so they are polled again.
  virtual void nack(std::span<const Record> records, std::chrono::nanoseconds delay) = 0;
  /// The caller is done reading the records and leaves them as they are: a queue's messages
  /// become visible again when their visibility timeout ends. Stream: nothing.
  virtual void release(std::span<const Record> records) { (void)records; }
  /// Stream: every record of `lane` up to and including `sequence_number` is processed, so
  /// the stream may drop them once retention allows. Queue: nothing.
  virtual void checkpoint(std::uint32_t lane, std::uint64_t sequence_number) = 0;
  /// Queue: in-flight records stay invisible for `timeout` from now. Stream: nothing.
  virtual void extend_visibility(std::span<const Record> records,
                                 std::chrono::nanoseconds timeout) = 0;
  /// Sets the callback the source calls (on the producer's thread, under no lock of the
  /// caller's) when records may have become available. Replaces an earlier one; an empty
  /// function removes it. Must be cheap and must not call back into the reader.
  virtual void set_listener(std::function<void()> wake) = 0;
};

/// A source of records an event source mapping reads: an in-memory `Queue` or `Stream`, or a
/// distributed backend. Thread-safe.
class NANOFAAS_API Source {
 public:
  virtual ~Source() = default;
  /// Its kind, which decides the mapping's rules.
  [[nodiscard]] virtual SourceKind kind() const noexcept = 0;
  /// A name for logs and failure records (Lambda's `eventSourceArn`).
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// A queue's visibility timeout, which a mapping checks against its function's timeout (as
  /// Lambda does at creation); unset when the source has none or cannot tell.
  [[nodiscard]] virtual std::optional<std::chrono::nanoseconds> visibility_timeout()
      const noexcept {
    return std::nullopt;
  }
  /// Opens a reader. Fails with `invalid_argument` for options the source cannot honour.
  [[nodiscard]] virtual Expected<std::unique_ptr<SourceReader>> open(ReaderOptions options) = 0;
};

}  // namespace nanofaas
