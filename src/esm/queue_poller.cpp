// The queue path: a poller's batches from a standard or FIFO queue, the messages of a
// recursive loop held back, and each batch settled: deleted, or visible again in part or whole.

#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "esm/batch_outcome.hpp"
#include "esm/mapping.hpp"

namespace nanofaas::detail {

void Mapping::run_queue(Poller& poller) {
  std::vector<Record> records;
  records.reserve(batch_size_);
  auto throttle_delay = min_backoff;
  while (!stopping_.load(std::memory_order_acquire)) {
    records.clear();
    gather(poller, records, batch_size_, Clock::time_point::max());
    drop_filtered(records);
    if (records.empty()) continue;
    BatchOutcome outcome = invoke(records, 0, nullptr);
    if (outcome.recursive) {
      // Refused as a recursive loop: the messages of the loop go back to the queue when their
      // visibility timeout ends (and to its dead-letter queue once its redrive policy says
      // so), as Lambda leaves them in SQS; the others in the batch run without them.
      const auto held = hold_back_loops(records);
      reader_->release(std::span<const Record>(held, records.end()));
      records.erase(held, records.end());
      if (records.empty()) continue;
      outcome = invoke(records, 0, nullptr);
    }
    if (outcome.kind == BatchOutcome::Kind::throttled) {
      // Lambda's throttled batch: the messages go back to the queue, nothing is lost.
      counters_.batches_throttled.fetch_add(1, std::memory_order_relaxed);
      reader_->nack(records, throttle_delay);
      backoff(throttle_delay);
      continue;
    }
    throttle_delay = min_backoff;
    settle_queue(records, outcome);
    // Other fibers of this worker (environments, pollers) get their turn between batches.
    boost::this_fiber::yield();
  }
}

std::vector<Record>::iterator Mapping::hold_back_loops(std::vector<Record>& records) const {
  const std::uint32_t most = host_->max_chain_depth();
  const auto loops = [most](const Record& r) { return r.chain_depth >= most; };
  // A FIFO group keeps its order: a group with a message of the loop is held back whole.
  std::vector<std::string_view> groups;
  if (kind_ == SourceKind::fifo_queue) {
    for (const Record& r : records) {
      if (loops(r)) groups.push_back(r.partition_key);
    }
  }
  return std::stable_partition(records.begin(), records.end(), [&](const Record& r) {
    return !loops(r) && std::find(groups.begin(), groups.end(), r.partition_key) == groups.end();
  });
}

void Mapping::settle_queue(std::vector<Record>& records, const BatchOutcome& outcome) {
  if (outcome.kind == BatchOutcome::Kind::function_error) {
    // The whole batch failed: its messages become visible again when their visibility
    // timeout ends (and move to the queue's dead-letter queue past `maxReceiveCount`).
    counters_.batches_failed.fetch_add(1, std::memory_order_relaxed);
    reader_->release(records);
    return;
  }
  if (outcome.failed.empty()) {
    reader_->ack(records);
    counters_.records_succeeded.fetch_add(records.size(), std::memory_order_relaxed);
    return;
  }
  counters_.batches_failed.fetch_add(1, std::memory_order_relaxed);
  std::vector<bool> failed(records.size(), false);
  for (std::size_t i : outcome.failed) failed[i] = true;
  if (kind_ == SourceKind::fifo_queue) {
    // Order per message group: after a group's first failure, its later messages are not
    // done either.
    std::unordered_set<std::string_view> stopped;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (failed[i] || stopped.contains(records[i].partition_key)) {
        failed[i] = true;
        stopped.insert(records[i].partition_key);
      }
    }
  }
  std::vector<Record> done;
  std::vector<Record> left;
  for (std::size_t i = 0; i < records.size(); ++i) {
    (failed[i] ? left : done).push_back(records[i]);
  }
  reader_->ack(done);
  reader_->release(left);
  counters_.records_succeeded.fetch_add(done.size(), std::memory_order_relaxed);
}

}  // namespace nanofaas::detail
