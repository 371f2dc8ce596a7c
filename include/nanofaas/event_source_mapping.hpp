#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nanofaas/async_config.hpp"
#include "nanofaas/duration_histogram.hpp"
#include "nanofaas/filter.hpp"
#include "nanofaas/source.hpp"

namespace nanofaas {

/// An event source mapping's configuration (Lambda's `CreateEventSourceMapping`): which source
/// feeds which function, how records are batched and filtered, and what happens on failure.
/// Settings marked "streams" are refused for queues, as Lambda does.
struct EventSourceMappingConfig {
  /// The source to read (required). A queue's readers compete for messages; each mapping of a
  /// stream reads every record.
  std::shared_ptr<Source> source{};
  /// The function: "name", "name:version" or "name:alias".
  std::string function_name{};
  /// `Enabled`: a disabled mapping keeps its position and polls nothing.
  bool enabled = true;
  /// `BatchSize`, 1–10000; unset: 10 for queues, 100 for streams (FIFO queues: at most 10).
  std::optional<std::uint32_t> batch_size{};
  /// `MaximumBatchingWindowInSeconds`: how long to gather records before invoking with fewer
  /// than `batch_size` (by the engine's clock; any duration up to 300 s). 0: invoke at once.
  std::chrono::nanoseconds maximum_batching_window{0};
  /// `StartingPosition` (streams; required for them) and its timestamp for `at_timestamp`.
  std::optional<StartingPosition> starting_position{};
  Clock::time_point starting_position_timestamp{};
  /// `FilterCriteria`: records no pattern matches are dropped before batching (queue messages
  /// are deleted) and counted.
  FilterCriteria filter_criteria{};
  /// `FunctionResponseTypes = ["ReportBatchItemFailures"]`: the handler reports the records
  /// that failed (`Response::batch_item_failures`, or a JSON body
  /// `{"batchItemFailures":[{"itemIdentifier":"…"}]}`) instead of failing the whole batch.
  bool report_batch_item_failures = false;
  /// `BisectBatchOnFunctionError` (streams): a failed batch is split in two and each half
  /// retried on its own, down to single records.
  bool bisect_batch_on_function_error = false;
  /// `MaximumRetryAttempts` (streams): -1 retries until the records expire; 0–10000.
  std::int32_t maximum_retry_attempts = -1;
  /// `MaximumRecordAgeInSeconds` (streams): older records go to `on_failure` unprocessed.
  /// Unset: no limit (Lambda's -1).
  std::optional<std::chrono::nanoseconds> maximum_record_age{};
  /// `ParallelizationFactor` (streams), 1–10: batches per shard at once; records with the same
  /// partition key stay in order.
  std::uint32_t parallelization_factor = 1;
  /// `TumblingWindowInSeconds` (streams; any duration up to 900 s, 0: none): records are
  /// grouped by arrival time into windows whose state passes from one invocation to the next,
  /// and a final invocation ends each window. Needs `parallelization_factor` 1.
  std::chrono::nanoseconds tumbling_window{0};
  /// `DestinationConfig.OnFailure` (streams): gets a record with the batch's details and
  /// `RetryAttemptsExhausted` or `RecordAgeExceeded` when records are skipped (the sink's
  /// `InvocationRecord::records` holds them). Queues send
  /// failed messages to their own dead-letter queue (`QueueConfig::dead_letter_queue`).
  Destination on_failure{};
  /// `ScalingConfig.MaximumConcurrency` (queues), 2–1000: batches in flight at once. Unset: 5,
  /// the number of batches Lambda starts a queue mapping with.
  std::optional<std::uint32_t> maximum_concurrency{};
};

/// A mapping's counters (see `Engine::event_source_mapping_metrics`).
struct EventSourceMappingMetrics {
  std::uint64_t records_polled = 0;
  /// Dropped by the filter (queue messages deleted).
  std::uint64_t records_filtered = 0;
  /// Handed to the function in a batch that succeeded for them.
  std::uint64_t records_succeeded = 0;
  /// Skipped after the retry or age limit and sent to `on_failure` (streams).
  std::uint64_t records_failed = 0;
  /// Batches the function was invoked with, and those that failed, wholly or in part.
  std::uint64_t batches = 0;
  std::uint64_t batches_failed = 0;
  std::uint64_t batches_bisected = 0;
  /// Batches refused by the engine (throttles) and retried.
  std::uint64_t batches_throttled = 0;
  /// `on_failure` deliveries that failed.
  std::uint64_t destination_delivery_failures = 0;
  /// Batch sizes: `batch_size_buckets[k]` counts batches of 2^k to 2^(k+1)-1 records.
  std::array<std::uint64_t, 15> batch_size_buckets{};
  /// `IteratorAge`: the age of each batch's last record when it was handed to the function.
  DurationHistogram iterator_age{};
};

}  // namespace nanofaas
