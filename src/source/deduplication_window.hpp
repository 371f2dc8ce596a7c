#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "nanofaas/clock.hpp"

namespace nanofaas::detail {

/// A FIFO queue's deduplication ids (SQS `MessageDeduplicationId`, or the body's SHA-256 with
/// content-based deduplication) for the 5 minutes after each was first sent: a send whose id
/// is here is accepted but not delivered again. Not thread-safe: the queue's lock guards it.
class DeduplicationWindow {
 public:
  /// SQS's deduplication interval.
  static constexpr std::chrono::nanoseconds interval = std::chrono::minutes(5);

  /// The message id first sent under `key`, or null when `key` is new (or its 5 minutes are
  /// over at `now`). Forgets the ids whose interval ended.
  const std::string* find(std::string_view key, Clock::time_point now);
  /// Remembers `key` for the interval from `now`, sent as message `message_id`.
  void add(std::string_view key, std::string_view message_id, Clock::time_point now);
  /// Ids remembered (each interval not yet ended at the last `find`).
  [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> ids_;
  // In sending order, which is the order their intervals end (the queue's clock never goes
  // back): the keys to forget from the front.
  std::deque<std::pair<Clock::time_point, std::string>> ends_;
};

/// The key content-based deduplication uses for `body`: its SHA-256, in hex, as SQS.
std::string content_deduplication_id(std::string_view body);

}  // namespace nanofaas::detail
