#pragma once

#include <atomic>
#include <cstdint>

#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

/// Hands out request ids: a random per-engine prefix and a per-thread block of counters, so
/// that no two threads touch the same cache line per call.
class RequestIdSource {
 public:
  RequestIdSource();
  RequestId next() noexcept;

 private:
  std::uint64_t prefix_;
  std::atomic<std::uint64_t> next_block_{1};
};

}  // namespace nanofaas::detail
