// Invoking the function with a batch: the batch's counters and chain depth, what the call came
// to (a throttle, a function error, or success with the records reported failed), and the
// wait before a batch is tried again.

#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <bit>

#include "esm/batch_outcome.hpp"
#include "esm/item_failures.hpp"
#include "esm/mapping.hpp"
#include "exec/invocation.hpp"

namespace nanofaas::detail {

BatchOutcome Mapping::invoke(std::span<const Record> records, std::uint32_t shard,
                             const TumblingWindow* window) {
  const Batch batch{records, config_.source->name(), kind_, shard, window};
  BatchCall call;
  call.batch = &batch;
  // Lambda continues the trace of the batch's first record (SQS's AWSTraceHeader).
  if (!records.empty()) call.trace = records.front().trace;
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  // Bucket k holds batches of 2^k to 2^(k+1)-1 records (an empty final window call: 0).
  const std::size_t bits = std::bit_width(records.size());
  counters_.batch_sizes[std::min(bits == 0 ? 0 : bits - 1, counters_.batch_sizes.size() - 1)]
      .fetch_add(1, std::memory_order_relaxed);
  if (!records.empty()) {
    counters_.iterator_age.record(host_->clock().now() - records.back().arrival_time);
  }
  // One deeper than the deepest sender of the batch: a loop through a queue is stopped like
  // any other chain (the engine refuses the call, and the messages go back to the queue,
  // to its dead-letter queue once its redrive policy says so). Streams start a chain.
  std::uint32_t depth = 1;
  for (const Record& r : records) depth = std::max(depth, r.chain_depth + 1);
  InvokeResult result = host_->invoke_batch(config_.function_name, depth, call);
  BatchOutcome o;
  if (!result) {
    o.kind = BatchOutcome::Kind::throttled;
    o.recursive = result.error().code == Errc::recursive_invocation;
    o.error_type = std::string(lambda_name(result.error().code));
    o.error_message = result.error().message;
    return o;
  }
  o.request_id = result->request_id;
  o.executed_version = std::move(result->executed_version);
  if (result->function_error) {
    o.kind = BatchOutcome::Kind::function_error;
    o.handled = result->function_error->kind == FunctionError::Kind::handled;
    o.error_type = std::move(result->function_error->error_type);
    o.error_message = std::move(result->function_error->error_message);
    return o;
  }
  o.state = std::move(call.state);
  if (!config_.report_batch_item_failures) return o;
  auto failed = item_failures(call.failed_items, result->payload, records);
  if (!failed) {
    o.kind = BatchOutcome::Kind::function_error;
    o.error_type = std::string(InvalidItemFailures::error_type);
    o.error_message = std::move(failed.error().message);
    return o;
  }
  o.failed = std::move(*failed);
  return o;
}

void Mapping::backoff(std::chrono::nanoseconds& delay) {
  boost::this_fiber::sleep_for(delay);
  delay = std::min(delay * 2, max_backoff);
}

}  // namespace nanofaas::detail
