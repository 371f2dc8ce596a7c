#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "nanofaas/request_id.hpp"

// The caller's side of asynchronous invocation: one entry per event the soak tried to invoke,
// counting every outcome delivered for it on every channel.

namespace soak {

/// Where a function's outcomes go (fixed per function, for all its versions and aliases).
enum class Profile : std::uint8_t {
  record_sinks = 1,   ///< on_success and on_failure to one RecordSink
  callbacks,          ///< on_success callback; dead-letter callback, no on_failure
  callback_and_sink,  ///< on_success RecordSink; on_failure callback and a dead-letter sink
  queues,             ///< on_success queue; dead-letter queue
  audit_function,     ///< on_success and on_failure to an audit function
};
inline constexpr std::uint8_t profile_count = 5;

/// The channels an outcome arrives on; each is counted separately per event.
enum class Channel : std::uint8_t {
  success,          ///< an on_success destination
  failure_record,   ///< an on_failure destination
  dead_letter,      ///< a dead-letter callback, queue or sink
  spill,            ///< EngineConfig::async_spill
  completion,       ///< the AsyncCompletion given to invoke_async
  derived_success,  ///< an audit function's event for this one's success ended
  derived_failure,  ///< an audit function's event for this one's failure ended
};

/// How an event's completion said it ended.
enum class Ending : std::uint8_t { none = 0, success, failure, shutdown };

/// One event's entry, as the checks read it.
struct LedgerEntry {
  std::uint64_t counts = 0;
  std::uint64_t id_mix = 0;          ///< accept ^ the primary outcome's id: 0 when they match
  std::uint64_t completion_mix = 0;  ///< accept ^ the completion's id, when one was asked for
  std::uint8_t meta = 0;

  [[nodiscard]] unsigned count(Channel channel) const noexcept {
    return static_cast<unsigned>(counts >> (4 * static_cast<unsigned>(channel))) & 15u;
  }
  [[nodiscard]] Profile profile() const noexcept { return static_cast<Profile>(meta & 7u); }
  [[nodiscard]] bool accepted() const noexcept { return (meta & 8u) != 0; }
  [[nodiscard]] bool rejected() const noexcept { return (meta & 16u) != 0; }
  [[nodiscard]] bool wants_completion() const noexcept { return (meta & 32u) != 0; }
  [[nodiscard]] Ending ending() const noexcept { return static_cast<Ending>(meta >> 6); }
};

/// Fixed-size arrays indexed by sequence number, written from any thread without locks.
class AsyncLedger {
 public:
  explicit AsyncLedger(std::size_t capacity);

  /// Forgets every entry (between the warm-up and the main run).
  void reset();
  /// A fresh sequence number, or none once the ledger is full.
  std::optional<std::uint64_t> next_seq();
  /// Sequence numbers handed out so far, and events accepted among them.
  [[nodiscard]] std::uint64_t issued() const;
  [[nodiscard]] std::uint64_t accepted_count() const { return accepted_.load(); }
  /// Events whose outcome reached its primary target (approximate while outcomes arrive).
  [[nodiscard]] std::uint64_t ended_count() const { return ended_.load(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return counts_.size(); }

  /// invoke_async accepted the event and returned `id`.
  void accepted(std::uint64_t seq, const nanofaas::RequestId& id, Profile profile,
                bool wants_completion);
  /// invoke_async refused the event: nothing may ever arrive for it.
  void rejected(std::uint64_t seq);
  /// An outcome arrived on `channel`; the primary channel of the outcome gives its id's text.
  void delivered(std::optional<std::uint64_t> seq, Channel channel,
                 std::optional<std::string_view> primary_id);
  /// The event's completion ran.
  void completed(std::uint64_t seq, std::string_view condition, const nanofaas::RequestId& id);
  /// Counts a run of a flaky handler; returns how many runs came before.
  unsigned attempt(std::uint64_t seq);

  [[nodiscard]] LedgerEntry entry(std::uint64_t seq) const;
  /// Outcomes that named no sequence number, or one never handed out.
  [[nodiscard]] std::uint64_t untraceable() const { return untraceable_.load(); }

 private:
  static constexpr unsigned attempts_shift = 56;

  std::vector<std::atomic<std::uint64_t>> counts_;
  std::vector<std::atomic<std::uint64_t>> id_mix_;
  std::vector<std::atomic<std::uint64_t>> completion_mix_;
  std::vector<std::atomic<std::uint8_t>> meta_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> ended_{0};
  std::atomic<std::uint64_t> untraceable_{0};
};

}  // namespace soak
