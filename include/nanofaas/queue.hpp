#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/clock.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas {

namespace detail {
struct QueueState;
}

class Queue;

/// The largest message a queue accepts: body plus attribute names and values (Lambda's
/// synchronous payload limit; SQS itself stops at 256 KiB).
inline constexpr std::size_t queue_max_message_size = std::size_t{6} << 20;
/// The longest `SendOptions::delay` (SQS `DelaySeconds` 900).
inline constexpr std::chrono::nanoseconds queue_max_delay = std::chrono::minutes(15);
/// The longest visibility timeout, also for `nack` delays and `extend_visibility` (12 hours).
inline constexpr std::chrono::nanoseconds queue_max_visibility_timeout = std::chrono::hours(12);

/// A queue's configuration (SQS `CreateQueue` attributes).
struct QueueConfig {
  /// 1-80 of [A-Za-z0-9_-]; a FIFO queue's name ends in ".fifo" (counted in the 80).
  std::string name{};
  /// SQS FIFO: in order per message group, one batch in flight per group.
  bool fifo = false;
  /// SQS `ContentBasedDeduplication` (FIFO only): a send without a deduplication id uses the
  /// SHA-256 of its body as one.
  bool content_based_deduplication = false;
  /// How long a received message stays invisible, 0 to 12 hours.
  std::chrono::nanoseconds visibility_timeout = std::chrono::seconds(30);
  /// Redrive policy `maxReceiveCount`, 1-1000: a message received that many times moves to
  /// `dead_letter_queue` when it would be received again. 0: no redrive.
  std::uint32_t max_receive_count = 0;
  /// Required exactly when `max_receive_count` > 0; FIFO exactly when this queue is.
  std::shared_ptr<Queue> dead_letter_queue{};
  /// The bound (at least 1): sends fail with `resource_exhausted` while this many messages
  /// are visible, in flight, delayed, or deleted while an earlier receive of them has not
  /// been handed back (their memory stays until it is).
  std::size_t max_messages = 1'000'000;
  /// The clock for arrival times, visibility and delays (not null).
  const Clock* clock = &Clock::steady();
};

/// Options of one `Queue::send`.
struct SendOptions {
  /// FIFO queues: required, 1-128 bytes; messages of a group are received in send order.
  /// Standard queues: ignored.
  std::string_view message_group_id{};
  /// FIFO queues: SQS `MessageDeduplicationId`, 1-128 printable ASCII characters. A send whose
  /// id was already sent in the last 5 minutes (by the queue's clock) is accepted and returns
  /// the first message's id, but nothing is delivered again, even if that message was deleted.
  /// Empty: the body's SHA-256 with `content_based_deduplication`, else never a duplicate.
  /// Standard queues: must be empty.
  std::string_view message_deduplication_id{};
  /// Message attributes, moved into the message.
  std::vector<RecordAttribute> attributes{};
  /// `DelaySeconds`: the message stays invisible this long, 0 to 15 minutes. In a FIFO
  /// group it also holds back the messages sent after it.
  std::chrono::nanoseconds delay{0};
  /// SQS's `AWSTraceHeader` system attribute (`Record::trace`); invalid: the sender's trace
  /// (the running handler's, or a `TraceScope`'s), if any.
  TraceContext trace{};
};

/// An in-memory SQS-like queue, standard or FIFO, bounded. Every member is thread-safe and
/// non-blocking (one short lock per call). Readers (`open`) compete for its messages; a
/// message received by one is invisible to all for the visibility timeout. Time-driven changes
/// (visibility expiry, delays ending) are applied when the queue is next polled or counted,
/// without a listener call. A deleted message's memory stays until every receive of it was
/// handed back; handing a record back twice is a bug (another receive may lose its views).
class NANOFAAS_API Queue final : public Source {
 public:
  /// A queue. Fails with `invalid_argument` for a bad name, timeout, redrive policy or bound.
  [[nodiscard]] static Expected<std::shared_ptr<Queue>> create(QueueConfig config);

  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  /// Readers keep the queue's messages alive after the `Queue` is gone.
  ~Queue() override;

  /// Sends `body` (moved in, no copy); returns the message id. Calls the readers' listeners
  /// when the message is visible at once. Fails with `invalid_argument` (FIFO without a group
  /// id, bad delay or deduplication id), `request_too_large` (over `queue_max_message_size`)
  /// or `resource_exhausted` (`max_messages` reached, or as many deduplication ids within
  /// their 5 minutes).
  [[nodiscard]] Expected<std::string> send(Payload body, SendOptions options = {});
  /// As above, copying `body` once.
  [[nodiscard]] Expected<std::string> send(PayloadView body, SendOptions options = {});
  /// Sends `bodies` in order under one lock, moving each accepted one out; stops at the first
  /// that cannot be sent (bound reached, too large, FIFO without a group id) and returns how
  /// many were sent (duplicates that content-based deduplication drops count as sent and
  /// stay in `bodies`).
  /// Listeners are called once.
  std::size_t send_batch(std::span<Payload> bodies, std::string_view message_group_id = {});

  /// Messages that can be received now (in FIFO queues possibly held back by their group).
  [[nodiscard]] std::size_t approximate_visible() const;
  /// Messages received and neither deleted nor visible again (SQS `NotVisible`).
  [[nodiscard]] std::size_t approximate_in_flight() const;
  /// Messages whose send delay or `nack` delay has not ended.
  [[nodiscard]] std::size_t approximate_delayed() const;
  /// True for a FIFO queue.
  [[nodiscard]] bool fifo() const noexcept;

  /// `SourceKind::queue` or `SourceKind::fifo_queue`.
  [[nodiscard]] SourceKind kind() const noexcept override;
  /// The queue's name.
  [[nodiscard]] std::string_view name() const noexcept override;
  /// `QueueConfig::visibility_timeout`.
  [[nodiscard]] std::optional<std::chrono::nanoseconds> visibility_timeout()
      const noexcept override;
  /// A reader with one lane that competes with every other reader of this queue; `options`
  /// are ignored. Its listener is called when a send or `nack` makes messages visible or an
  /// `ack` unblocks a FIFO group, not when a timeout or delay ends. Never fails.
  [[nodiscard]] Expected<std::unique_ptr<SourceReader>> open(ReaderOptions options) override;

 private:
  explicit Queue(std::shared_ptr<detail::QueueState> state) noexcept;
  std::shared_ptr<detail::QueueState> state_;
};

}  // namespace nanofaas
