#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "async/async_event.hpp"
#include "nanofaas/async_queue.hpp"

namespace nanofaas::detail {

/// Events an environment took from its version's queue in one go, run one after another.
/// One bulk take costs one pass over the queue's indexes for up to `capacity` events, and
/// their cache lines (written by the producers, likely on other cores) are fetched together
/// instead of one miss per event. Those not run go back to the queue (`AsyncDispatcher::put_back`)
/// before the environment stops draining. Owned by one environment: not thread-safe.
class TakenEvents {
 public:
  static constexpr std::size_t capacity = 8;

  /// The next event: one already taken, else up to `max` (at most `capacity`) more from
  /// `queue`; nullptr when the queue is empty too.
  AsyncEvent* next(AsyncQueue& queue, std::size_t max) noexcept {
    if (next_ == count_) {
      next_ = 0;
      count_ = static_cast<std::uint8_t>(queue.pop_bulk(events_.data(), std::min(max, capacity)));
      if (count_ == 0) return nullptr;
      for (std::size_t i = 1; i < count_; ++i) {
        __builtin_prefetch(events_[i]);
        __builtin_prefetch(reinterpret_cast<const char*>(events_[i]) + 64);
      }
    }
    return events_[next_++];
  }
  /// True when every event taken was handed out.
  [[nodiscard]] bool empty() const noexcept { return next_ == count_; }
  /// Offers `f` each event not run, in order, and forgets those it takes (returns true for).
  template <class F>
  void keep_unless(F&& f) noexcept {
    std::uint8_t kept = 0;
    for (std::uint8_t i = next_; i != count_; ++i) {
      if (!f(events_[i])) events_[kept++] = events_[i];
    }
    next_ = 0;
    count_ = kept;
  }
  /// Hands out the events not run (for putting them back) and forgets them.
  template <class F>
  void release_each(F&& f) noexcept {
    while (next_ != count_) f(events_[next_++]);
    next_ = count_ = 0;
  }

 private:
  std::array<AsyncEvent*, capacity> events_{};
  std::uint8_t next_ = 0;
  std::uint8_t count_ = 0;
};

}  // namespace nanofaas::detail
