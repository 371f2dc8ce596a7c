#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// Counts down as provisioned environments finish init; `wait` blocks a plain thread.
class ProvisionLatch {
 public:
  explicit ProvisionLatch(std::uint32_t count) : remaining_(count) {}
  /// One environment is ready (`error` empty) or failed.
  void count_down(std::string_view error = {});
  /// Blocks until every environment reported; the first init error, if any. Gives up with
  /// `unavailable` once `gone()` says no worker is left to report (init posted to a worker
  /// that had already stopped never runs), checking it every few milliseconds.
  template <class Gone>
  Status wait(Gone gone) {
    std::unique_lock lock(mutex_);
    while (
        !done_.wait_for(lock, std::chrono::milliseconds(5), [this] { return remaining_ == 0; })) {
      if (gone()) return stopped();
    }
    return result();
  }

 private:
  [[nodiscard]] Status result() const;
  [[nodiscard]] static Status stopped();

  std::mutex mutex_;
  std::condition_variable done_;
  std::uint32_t remaining_;
  std::string error_;
};

}  // namespace nanofaas::detail
