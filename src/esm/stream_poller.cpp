// The stream path: a poller per shard runs its batches in order, retrying a failing one
// (bisecting if enabled) until it succeeds or reaches the retry or age limit and goes to
// `on_failure`; with a parallelization factor, a batch runs as concurrent lanes of partition
// keys, and with a tumbling window, state carries from one invocation to the next.

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash.hpp"
#include "esm/batch_outcome.hpp"
#include "esm/mapping.hpp"
#include "esm/stream_failure_record.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {
namespace {

using namespace std::chrono_literals;

/// The parallelization lane of `partition_key`: FNV-1a of the key modulo `lanes`.
std::uint32_t lane_of(std::string_view partition_key, std::uint32_t lanes) noexcept {
  return static_cast<std::uint32_t>(fnv1a(partition_key) % lanes);
}

}  // namespace

/// A stream shard's tumbling window between invocations.
struct Mapping::WindowState {
  std::optional<Clock::time_point> start;
  std::string state;
};

void Mapping::run_stream(Poller& poller) {
  std::vector<Record> records;
  const std::uint32_t factor = config_.parallelization_factor;
  records.reserve(std::size_t{batch_size_} * factor);
  const auto window_length = config_.tumbling_window;
  WindowState window;
  const Clock& clock = host_->clock();
  while (!stopping_.load(std::memory_order_acquire)) {
    records.clear();
    const auto idle_until = window.start ? *window.start + window_length : Clock::time_point::max();
    gather(poller, records, std::size_t{batch_size_} * factor, idle_until);
    if (records.empty()) {
      if (window.start && clock.now() >= *window.start + window_length) {
        std::size_t done = 0;
        if (!process({}, poller.lane, &window, done)) return;
      }
      continue;
    }
    const std::uint64_t last = records.back().sequence_number;
    drop_filtered(records);
    bool finished = true;
    if (window_length > 0ns) {
      // One invocation per window's run of records; a record of a later window first ends
      // the current window with its final invocation.
      std::size_t at = 0;
      while (at < records.size() && finished) {
        const auto since = records[at].arrival_time.time_since_epoch();
        const Clock::time_point start{since - since % window_length};
        if (window.start && *window.start != start) {
          std::size_t done = 0;
          finished = process({}, poller.lane, &window, done);
          if (!finished) break;
        }
        window.start = start;
        std::size_t end = at;
        while (end < records.size() && records[end].arrival_time < start + window_length) ++end;
        std::size_t done = 0;
        finished = process(std::span<const Record>(records).subspan(at, end - at), poller.lane,
                           &window, done);
        if (!finished) {
          at += done;
          break;
        }
        at = end;
      }
      if (!finished) {
        reader_->nack(std::span<const Record>(records).subspan(at), 0ns);
        return;
      }
    } else if (factor > 1) {
      finished = process_parallel(poller, records);
      if (!finished) {
        reader_->nack(records, 0ns);
        return;
      }
    } else {
      std::size_t done = 0;
      finished = process(records, poller.lane, nullptr, done);
      if (!finished) {
        reader_->nack(std::span<const Record>(records).subspan(done), 0ns);
        return;
      }
    }
    reader_->checkpoint(poller.lane, last);
    boost::this_fiber::yield();  // as for queues: the worker is shared
  }
}

bool Mapping::process_parallel(Poller& poller, std::span<const Record> records) {
  // Records of one partition key go to the same lane, in order; lanes run at once.
  const std::uint32_t factor = config_.parallelization_factor;
  std::vector<std::vector<Record>> lanes(factor);
  for (const Record& r : records) lanes[lane_of(r.partition_key, factor)].push_back(r);
  std::vector<char> finished(factor, 1);
  const auto run_lane = [&](std::uint32_t k) {
    std::span<const Record> rest(lanes[k]);
    while (!rest.empty()) {
      const auto n = std::min<std::size_t>(rest.size(), batch_size_);
      std::size_t done = 0;
      if (!process(rest.first(n), poller.lane, nullptr, done)) {
        finished[k] = 0;
        return;
      }
      rest = rest.subspan(n);
    }
  };
  std::vector<boost::fibers::fiber> helpers;
  std::vector<std::uint32_t> inline_lanes;
  for (std::uint32_t k = 1; k < factor; ++k) {
    if (lanes[k].empty()) continue;
    try {
      helpers.push_back(poller.worker->launch([&run_lane, k] { run_lane(k); }));
    } catch (const std::exception&) {
      inline_lanes.push_back(k);  // no stack for a helper fiber: run the lane here, after
    }
  }
  run_lane(0);
  for (std::uint32_t k : inline_lanes) run_lane(k);
  for (auto& f : helpers) f.join();
  return std::all_of(finished.begin(), finished.end(), [](char f) { return f != 0; });
}

/// A part of a stream batch still to run, and the attempts it has had.
struct Mapping::Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::uint32_t attempts = 0;
};

bool Mapping::process(std::span<const Record> records, std::uint32_t shard, WindowState* window,
                      std::size_t& done) {
  const Clock& clock = host_->clock();
  const bool final_invoke = records.empty();
  std::vector<Range> work{{0, records.size(), 0}};
  auto delay = min_backoff;
  done = 0;
  while (!work.empty()) {
    Range r = work.back();
    work.pop_back();
    for (;;) {
      if (stopping_.load(std::memory_order_acquire)) {
        done = r.begin;
        return false;
      }
      const auto part = records.subspan(r.begin, r.end - r.begin);
      if (config_.maximum_record_age && !part.empty() &&
          clock.now() - part.front().arrival_time > *config_.maximum_record_age) {
        send_to_failure(part, shard, "RecordAgeExceeded", r.attempts, BatchOutcome{});
        break;
      }
      TumblingWindow tumbling;
      if (window != nullptr) {
        tumbling.start = *window->start;
        tumbling.end = *window->start + config_.tumbling_window;
        tumbling.state = window->state;
        tumbling.is_final_invoke_for_window = final_invoke;
      }
      const BatchOutcome o = invoke(part, shard, window != nullptr ? &tumbling : nullptr);
      if (o.kind == BatchOutcome::Kind::throttled) {
        counters_.batches_throttled.fetch_add(1, std::memory_order_relaxed);
        backoff(delay);
        continue;
      }
      if (o.kind == BatchOutcome::Kind::ok && o.failed.empty()) {
        counters_.records_succeeded.fetch_add(part.size(), std::memory_order_relaxed);
        if (window != nullptr) window->state = final_invoke ? std::string() : o.state;
        break;
      }
      counters_.batches_failed.fetch_add(1, std::memory_order_relaxed);
      ++r.attempts;
      if (o.kind == BatchOutcome::Kind::ok) {
        // Partial failure: everything before the lowest failed record is done; retry from it.
        const std::size_t first = *std::min_element(o.failed.begin(), o.failed.end());
        counters_.records_succeeded.fetch_add(first, std::memory_order_relaxed);
        r.begin += first;
      } else if (config_.bisect_batch_on_function_error && part.size() > 1) {
        counters_.batches_bisected.fetch_add(1, std::memory_order_relaxed);
        const std::size_t mid = r.begin + part.size() / 2;
        work.push_back({mid, r.end, r.attempts});
        work.push_back({r.begin, mid, r.attempts});
        break;
      }
      if (config_.maximum_retry_attempts >= 0 &&
          r.attempts > static_cast<std::uint32_t>(config_.maximum_retry_attempts)) {
        send_to_failure(records.subspan(r.begin, r.end - r.begin), shard, "RetryAttemptsExhausted",
                        r.attempts, o);
        break;
      }
      backoff(delay);
    }
    done = work.empty() ? records.size() : work.back().begin;
  }
  if (final_invoke && window != nullptr) {
    window->start.reset();
    window->state.clear();
  }
  return true;
}

void Mapping::send_to_failure(std::span<const Record> records, std::uint32_t shard,
                              std::string_view condition, std::uint32_t attempts,
                              const BatchOutcome& outcome) {
  counters_.records_failed.fetch_add(records.size(), std::memory_order_relaxed);
  if (config_.on_failure.empty() || records.empty()) return;
  const StreamFailure failure{.request_id = host_->new_request_id(),
                              .function_name = config_.function_name,
                              .stream_name = config_.source->name(),
                              .shard = shard,
                              .condition = condition,
                              .attempts = attempts,
                              .executed_version = outcome.executed_version,
                              .function_error = outcome.function_error(),
                              .records = records};
  InvocationRecord record =
      stream_failure_record(failure, host_->clock().now(), std::chrono::system_clock::now());
  record.trace = records.front().trace;  // the skipped batch's trace goes on with the record
  if (!host_->deliver(config_.on_failure, record, 1)) {
    counters_.destination_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace nanofaas::detail
