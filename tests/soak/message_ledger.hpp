#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

// The producer's and the handlers' side of the mapped queues: one entry per message, counting
// its successful runs and where the final drain found it.

namespace soak {

/// Where a message was found when the queues were drained after shutdown.
enum class Found : std::uint8_t {
  in_queue,         ///< still in its queue (visible, in flight or delayed at shutdown)
  in_dead_letters,  ///< in its queue's dead-letter queue at shutdown
};

/// One message's entry, as the checks read it.
struct MessageEntry {
  std::uint32_t bits = 0;
  std::uint16_t queue = 0;

  [[nodiscard]] unsigned successes() const noexcept { return bits & 0xffu; }
  [[nodiscard]] unsigned found_in_queue() const noexcept { return (bits >> 8) & 15u; }
  [[nodiscard]] unsigned found_in_dead_letters() const noexcept { return (bits >> 12) & 15u; }
  [[nodiscard]] bool sent() const noexcept { return (bits & (1u << 16)) != 0; }
};

/// Fixed-size arrays indexed by sequence number, written from any thread without locks.
class MessageLedger {
 public:
  explicit MessageLedger(std::size_t capacity);

  void reset();
  /// A fresh sequence number, or none once the ledger is full.
  std::optional<std::uint64_t> next_seq();
  [[nodiscard]] std::uint64_t issued() const;
  [[nodiscard]] std::size_t capacity() const noexcept { return bits_.size(); }

  /// The queue took the message.
  void sent(std::uint64_t seq, std::uint16_t queue);
  /// A handler ran the message and did not report it failed.
  void succeeded(std::optional<std::uint64_t> seq);
  /// The final drain found the message.
  void found(std::optional<std::uint64_t> seq, Found where);

  [[nodiscard]] MessageEntry entry(std::uint64_t seq) const;
  /// Messages seen with no sequence number, or one never handed out.
  [[nodiscard]] std::uint64_t untraceable() const { return untraceable_.load(); }

 private:
  [[nodiscard]] bool traceable(std::optional<std::uint64_t> seq);

  std::vector<std::atomic<std::uint32_t>> bits_;
  std::vector<std::atomic<std::uint16_t>> queue_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::uint64_t> untraceable_{0};
};

}  // namespace soak
