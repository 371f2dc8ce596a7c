#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/clock.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas::detail {

/// A stream batch that a mapping gave up on, for its `on_failure` destination.
struct StreamFailure {
  RequestId request_id{};
  std::string_view function_name{};
  std::string_view stream_name{};  // Lambda's `streamArn`
  std::uint32_t shard = 0;
  /// "RetryAttemptsExhausted" or "RecordAgeExceeded".
  std::string_view condition{};
  std::uint32_t attempts = 0;
  std::string_view executed_version{};
  /// "Handled", "Unhandled", or empty.
  std::string_view function_error{};
  /// The batch's records; not empty.
  std::span<const Record> records{};
};

/// Lambda's on-failure record of `failure`, with its `KinesisBatchInfo`; the fields other than
/// `json` view `failure`'s. Arrival times (engine clock) are placed on the system clock as
/// `engine_now` is at `system_now`, which is also the record's timestamp.
InvocationRecord stream_failure_record(const StreamFailure& failure, Clock::time_point engine_now,
                                       std::chrono::system_clock::time_point system_now);

}  // namespace nanofaas::detail
