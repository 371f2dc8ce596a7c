#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

/// Where a call sits in a distributed trace: the trace's 128-bit id, the span that made the
/// call (the parent of the spans the call starts; 0 when none is known) and whether the trace
/// is recorded. Read and written as W3C `traceparent` and as X-Ray's `X-Amzn-Trace-Id`
/// (Lambda's `_X_AMZN_TRACE_ID`). 32 bytes, trivially copyable; parsing never throws.
struct NANOFAAS_API TraceContext {
  /// The trace id's high and low 64 bits; both 0: no trace (`valid()` is false).
  std::uint64_t trace_id_high = 0;
  std::uint64_t trace_id_low = 0;
  /// The parent span's id; 0: none (the call is a trace's root).
  std::uint64_t span_id = 0;
  /// W3C's `sampled` flag, X-Ray's `Sampled=1`: spans of unsampled traces are not exported.
  bool sampled = true;

  /// Length of `traceparent()`: "00-" 32 hex "-" 16 hex "-" 2 hex.
  static constexpr std::size_t traceparent_size = 55;
  /// Longest `x_amzn_trace_id()`: "Root=1-8hex-24hex;Parent=16hex;Sampled=1".
  static constexpr std::size_t x_amzn_trace_id_max_size = 74;

  /// True when the context names a trace (a non-zero trace id).
  [[nodiscard]] bool valid() const noexcept { return (trace_id_high | trace_id_low) != 0; }

  /// Parses W3C `traceparent` ("00-<32 hex>-<16 hex>-<2 hex>", lowercase). A later version
  /// (not "ff") may carry more after a '-'. Fails with `invalid_argument` on anything else,
  /// including an all-zero trace or parent id.
  [[nodiscard]] static Expected<TraceContext> from_traceparent(std::string_view text);
  /// Parses X-Ray's header ("Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1", fields in
  /// any order, unknown ones ignored). `Parent` is optional (0), a missing or "?" `Sampled`
  /// counts as sampled. Fails with `invalid_argument` without a well-formed `Root`.
  [[nodiscard]] static Expected<TraceContext> from_x_amzn_trace_id(std::string_view text);

  /// W3C `traceparent`, version 00.
  [[nodiscard]] std::string traceparent() const;
  /// X-Ray's header: `Root`, then `Parent` (when set) and `Sampled`.
  [[nodiscard]] std::string x_amzn_trace_id() const;
  /// The trace id as 32 lowercase hex digits (OTLP/JSON's `traceId`).
  [[nodiscard]] std::string trace_id_hex() const;

  friend bool operator==(const TraceContext&, const TraceContext&) = default;
};

/// A span or trace id as lowercase hex: 16 digits.
[[nodiscard]] NANOFAAS_API std::string to_hex16(std::uint64_t id);

}  // namespace nanofaas
