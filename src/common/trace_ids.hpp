#pragma once

#include <chrono>
#include <cstdint>

#include "nanofaas/request_id.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {

/// The calling thread's generator state (0: not seeded yet). Initial-exec: one instruction to
/// reach, where the general model would call `__tls_get_addr` from position-independent code.
extern constinit
    __attribute__((tls_model("initial-exec"))) thread_local std::uint64_t trace_id_state;

/// Span and trace ids. Span ids come from a per-thread Weyl sequence (a randomly seeded
/// counter stepping by an odd constant) passed through a bijective mix: unique per thread for
/// 2^64 ids, unpredictable enough for tracing (not secret), a few instructions each. Never
/// blocks or allocates.
class TraceIds {
 public:
  /// A new span id (never 0).
  static std::uint64_t span_id() noexcept {
    std::uint64_t& s = trace_id_state;
    if (s == 0) [[unlikely]]
      s = seed();
    s += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = (s ^ (s >> 29)) * 0xbf58476d1ce4e5b9ull;
    z ^= z >> 32;
    return z + (z == 0);
  }
  /// A new, sampled trace with no parent span, named after `request` (the engine's unique,
  /// mixed request id of the call that starts it): its id starts with `unix_seconds` (32
  /// bits), as X-Ray's ids do, then 96 bits of the request id.
  static TraceContext new_trace(std::chrono::seconds unix_seconds,
                                const RequestId& request) noexcept {
    TraceContext c;
    c.trace_id_high =
        (static_cast<std::uint64_t>(unix_seconds.count()) << 32) | (request.high & 0xffff'ffffu);
    c.trace_id_low = request.low;
    return c;
  }

 private:
  static std::uint64_t seed() noexcept;
};

}  // namespace nanofaas::detail
