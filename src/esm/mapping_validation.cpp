// Lambda's ranges for an event source mapping's settings, checked when a mapping is created
// or updated, before anything starts.

#include "esm/mapping_validation.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "common/record_queue.hpp"

namespace nanofaas::detail {
namespace {

using namespace std::chrono_literals;

Status invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, std::move(message)});
}

// "30 seconds" as Lambda writes it; fractions (possible in-process) to the microsecond.
std::string seconds_text(std::chrono::nanoseconds d) {
  if (d % 1s == 0ns) return std::to_string(d / 1s) + " seconds";
  char text[40];
  std::snprintf(text, sizeof text, "%.6g seconds", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

Status validate_mapping(const EventSourceMappingConfig& c) {
  if (!c.source) return invalid("source: required");
  if (c.function_name.empty()) return invalid("FunctionName: required");
  const SourceKind kind = c.source->kind();
  const bool stream = kind == SourceKind::stream;
  if (c.batch_size) {
    const std::uint32_t most = kind == SourceKind::fifo_queue ? 10 : 10000;
    if (*c.batch_size < 1 || *c.batch_size > most) {
      return invalid("BatchSize: " + std::to_string(*c.batch_size) + " is outside 1.." +
                     std::to_string(most));
    }
  }
  if (c.maximum_batching_window < 0ns || c.maximum_batching_window > 300s) {
    return invalid("MaximumBatchingWindowInSeconds: must be within 0..300 s");
  }
  if (kind == SourceKind::queue && c.batch_size && *c.batch_size > 10 &&
      c.maximum_batching_window < 1s) {
    return invalid(
        "MaximumBatchingWindowInSeconds: must be at least 1 s when BatchSize is over 10 "
        "for a standard queue");
  }
  if (kind == SourceKind::fifo_queue && c.maximum_batching_window != 0ns) {
    return invalid("MaximumBatchingWindowInSeconds: not supported for FIFO queues");
  }
  if (stream && !c.starting_position) return invalid("StartingPosition: required for a stream");
  if (!stream) {
    if (c.starting_position) return invalid("StartingPosition: only for streams");
    if (c.bisect_batch_on_function_error) {
      return invalid("BisectBatchOnFunctionError: only for streams");
    }
    if (c.maximum_retry_attempts != -1) return invalid("MaximumRetryAttempts: only for streams");
    if (c.maximum_record_age) return invalid("MaximumRecordAgeInSeconds: only for streams");
    if (c.parallelization_factor != 1) return invalid("ParallelizationFactor: only for streams");
    if (c.tumbling_window != 0ns) return invalid("TumblingWindowInSeconds: only for streams");
    if (!c.on_failure.empty()) {
      return invalid(
          "DestinationConfig.OnFailure: not for queues; give the queue a dead-letter queue "
          "(QueueConfig::dead_letter_queue)");
    }
  } else if (c.maximum_concurrency) {
    return invalid("ScalingConfig.MaximumConcurrency: only for queues");
  }
  if (auto s = validate_record_queue(c.on_failure.queue.get(), "DestinationConfig.OnFailure"); !s) {
    return s;
  }
  if (c.maximum_retry_attempts < -1 || c.maximum_retry_attempts > 10000) {
    return invalid("MaximumRetryAttempts: must be -1 (infinite) or within 0..10000");
  }
  if (c.maximum_record_age && (*c.maximum_record_age <= 0ns || *c.maximum_record_age > 604800s)) {
    return invalid("MaximumRecordAgeInSeconds: must be positive and at most 604800 s");
  }
  if (c.parallelization_factor < 1 || c.parallelization_factor > 10) {
    return invalid("ParallelizationFactor: must be within 1..10");
  }
  if (c.tumbling_window < 0ns || c.tumbling_window > 900s) {
    return invalid("TumblingWindowInSeconds: must be within 0..900 s");
  }
  if (c.tumbling_window > 0ns && c.parallelization_factor != 1) {
    return invalid("TumblingWindowInSeconds: needs ParallelizationFactor 1");
  }
  if (c.maximum_concurrency && (*c.maximum_concurrency < 2 || *c.maximum_concurrency > 1000)) {
    return invalid("ScalingConfig.MaximumConcurrency: must be within 2..1000");
  }
  return {};
}

Status validate_visibility(const Source& source, std::chrono::nanoseconds function_timeout) {
  const auto visibility = source.visibility_timeout();
  if (!visibility || *visibility >= function_timeout) return {};
  return invalid(
      "Invalid request provided: Queue visibility timeout: " + seconds_text(*visibility) +
      " is less than Function timeout: " + seconds_text(function_timeout));
}

}  // namespace nanofaas::detail
