#pragma once

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
  /// Blocks until every environment reported; the first init error, if any.
  Status wait();

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::uint32_t remaining_;
  std::string error_;
};

}  // namespace nanofaas::detail
