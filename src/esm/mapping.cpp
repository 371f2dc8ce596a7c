// Event source mappings: pollers that read a source, filter and batch records, invoke the
// function, and settle the records by the source's rules (SEMANTICS §5). Every polled record
// ends in exactly one counter: filtered, succeeded, failed (sent to `on_failure`), or is
// polled again (a queue's visibility timeout, a stream's retry or rewind).

#include "esm/mapping.hpp"

#include <simdjson.h>
#include <boost/fiber/context.hpp>
#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <bit>
#include <thread>
#include <unordered_set>

#include "common/json_text.hpp"
#include "core/engine_core.hpp"
#include "esm/item_failures.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Lambda's invocation payload limit, which also bounds a batch.
constexpr std::size_t max_batch_bytes = 6 * 1024 * 1024;
/// A poller with nothing to do looks again after this, doubling up to `max_idle_poll`: queue
/// messages become visible again and manual clocks move without a wake-up.
constexpr std::chrono::nanoseconds min_idle_poll = 1ms;
constexpr std::chrono::nanoseconds max_idle_poll = 64ms;
/// Throttled batches and failing stream batches wait this long, doubling, before a retry.
constexpr std::chrono::nanoseconds min_backoff = 1ms;
constexpr std::chrono::nanoseconds max_backoff = 100ms;
/// Pollers of a queue mapping without `maximum_concurrency`: Lambda's initial five.
constexpr std::uint32_t default_queue_pollers = 5;

Status invalid(std::string message) {
  return fail(Errc::invalid_argument, std::move(message));
}

std::uint64_t key_hash(std::string_view key) noexcept {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::uint32_t default_batch_size(SourceKind kind) {
  return kind == SourceKind::stream ? 100 : 10;
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

/// What one invocation with a batch came to.
struct Mapping::Outcome {
  enum class Kind : std::uint8_t { ok, function_error, throttled };
  Kind kind = Kind::ok;
  /// Indexes (into the invoked records) that failed, for `ok` with reported item failures.
  std::vector<std::size_t> failed;
  std::string state;
  std::string executed_version;
  std::string error_type;
  std::string error_message;
  bool handled = false;
  bool recursive = false;  // throttled: refused as a recursive loop
  RequestId request_id{};
};

/// A stream shard's tumbling window between invocations.
struct Mapping::WindowState {
  std::optional<Clock::time_point> start;
  std::string state;
};

Mapping::Mapping(EngineCore& core, std::string uuid, EventSourceMappingConfig config,
                 std::unique_ptr<SourceReader> reader)
    : core_(core),
      uuid_(std::move(uuid)),
      config_(std::move(config)),
      kind_(config_.source->kind()),
      reader_(std::move(reader)) {}

Mapping::~Mapping() {
  reader_->set_listener({});
}

void Mapping::start() {
  if (!config_.enabled) return;
  stopping_.store(false, std::memory_order_relaxed);
  batch_size_ = config_.batch_size.value_or(default_batch_size(kind_));
  auto set = std::make_shared<PollerSet>();
  const std::uint32_t count = kind_ == SourceKind::stream
                                  ? reader_->lanes()
                                  : config_.maximum_concurrency.value_or(default_queue_pollers);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto p = std::make_unique<Poller>();
    p->mapping = this;
    p->lane = kind_ == SourceKind::stream ? i : 0;
    p->worker = core_.workers[i % core_.workers.size()].get();
    set->pollers.push_back(std::move(p));
  }
  {
    std::lock_guard lock(core_.mappings_mutex);
    core_.poller_sets.push_back(set);
  }
  pollers_ = set;
  {
    std::lock_guard lock(live_mutex_);
    live_ = count;
  }
  reader_->set_listener([set] {
    // Pairs with the poller's increment before its last poll: either it sees the records or
    // this sees it asleep.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (set->sleepers.load(std::memory_order_relaxed) == 0) return;
    // Counted in, so that `stop` can wait until no call still uses the workers.
    set->listener_calls.fetch_add(1, std::memory_order_seq_cst);
    if (set->open.load(std::memory_order_seq_cst)) {
      for (auto& p : set->pollers) {
        if (p->asleep.exchange(false, std::memory_order_acq_rel)) {
          set->sleepers.fetch_sub(1, std::memory_order_relaxed);
          Task task;
          task.kind = Task::Kind::wake_poller;
          task.poller = p.get();
          p->worker->post(task);
        }
      }
    }
    set->listener_calls.fetch_sub(1, std::memory_order_release);
  });
  for (auto& p : set->pollers) {
    Task task;
    task.kind = Task::Kind::start_poller;
    task.poller = p.get();
    p->worker->post(task);
  }
}

void Mapping::stop() {
  if (!pollers_) return;
  stopping_.store(true, std::memory_order_release);
  reader_->set_listener({});
  pollers_->open.store(false, std::memory_order_seq_cst);
  // A source may still be in a call of the old listener (it calls a copy outside its lock).
  while (pollers_->listener_calls.load(std::memory_order_acquire) != 0) {
    std::this_thread::yield();
  }
  wake_all();
  std::unique_lock lock(live_mutex_);
  live_changed_.wait(lock, [&] { return live_ == 0; });
  pollers_.reset();
}

void Mapping::reconfigure(EventSourceMappingConfig config) {
  stop();
  {
    // `get_event_source_mapping` copies the configuration under this lock.
    std::lock_guard lock(core_.mappings_mutex);
    config_ = std::move(config);
  }
  start();
}

void Mapping::wake_all() noexcept {
  for (auto& p : pollers_->pollers) {
    Task task;
    task.kind = Task::Kind::wake_poller;
    task.poller = p.get();
    p->worker->post(task);
  }
}

EventSourceMappingMetrics Mapping::metrics() const {
  EventSourceMappingMetrics m;
  const auto read = [](const std::atomic<std::uint64_t>& a) {
    return a.load(std::memory_order_relaxed);
  };
  m.records_polled = read(counters_.records_polled);
  m.records_filtered = read(counters_.records_filtered);
  m.records_succeeded = read(counters_.records_succeeded);
  m.records_failed = read(counters_.records_failed);
  m.batches = read(counters_.batches);
  m.batches_failed = read(counters_.batches_failed);
  m.batches_bisected = read(counters_.batches_bisected);
  m.batches_throttled = read(counters_.batches_throttled);
  m.destination_delivery_failures = read(counters_.destination_failures);
  for (std::size_t i = 0; i < m.batch_size_buckets.size(); ++i) {
    m.batch_size_buckets[i] = read(counters_.batch_sizes[i]);
  }
  counters_.iterator_age.read_into(m.iterator_age);
  return m;
}

void run_poller(Poller& poller) noexcept {
  poller.mapping->run(poller);
}

void Mapping::run(Poller& poller) noexcept {
  try {
    if (kind_ == SourceKind::stream) {
      run_stream(poller);
    } else {
      run_queue(poller);
    }
  } catch (const std::exception& e) {
    if (core_.config.log_sink) {
      const std::string message = std::string("event source mapping poller stopped: ") + e.what();
      core_.config.log_sink(LogRecord{config_.function_name, {}, uuid_, message});
    }
  }
  std::lock_guard lock(live_mutex_);
  if (--live_ == 0) live_changed_.notify_all();
}

void Mapping::sleep(Poller& poller, Clock::time_point until, std::chrono::nanoseconds& idle) {
  auto wake = steady::now() + idle;
  idle = std::min(idle * 2, max_idle_poll);
  if (until != Clock::time_point::max()) {
    const auto remaining = until - core_.config.clock->now();
    wake = std::min(wake, steady::now() + (core_.clock_is_steady ? remaining : min_idle_poll));
  }
  poller.fiber = boost::fibers::context::active();
  poller.waiting = true;
  poller.fiber->wait_until(wake);
  poller.waiting = false;
}

void Mapping::gather(Poller& poller, std::vector<Record>& out, std::size_t max,
                     Clock::time_point idle_until) {
  const Clock& clock = *core_.config.clock;
  std::chrono::nanoseconds idle = min_idle_poll;
  auto window_end = Clock::time_point::max();
  std::size_t bytes = 0;
  const auto take = [&] {
    const std::size_t first = out.size();
    reader_->poll(poller.lane, max - out.size(), out);
    std::size_t keep = out.size();
    for (std::size_t i = first; i < out.size(); ++i) {
      if (bytes + out[i].body.size() > max_batch_bytes && i > 0) {
        keep = i;
        break;
      }
      bytes += out[i].body.size();
    }
    if (keep < out.size()) {
      // Past the payload limit: these go back for the next batch.
      reader_->nack(std::span<const Record>(out).subspan(keep), 0ns);
      out.resize(keep);
      max = keep;  // the batch is full
    }
    counters_.records_polled.fetch_add(out.size() - first, std::memory_order_relaxed);
    return out.size() > first;
  };
  for (;;) {
    take();
    if (out.size() >= max || stopping_.load(std::memory_order_acquire)) return;
    const auto now = clock.now();
    Clock::time_point until = idle_until;
    if (!out.empty()) {
      if (config_.maximum_batching_window == 0ns) return;
      if (window_end == Clock::time_point::max())
        window_end = now + config_.maximum_batching_window;
      until = window_end;
    }
    if (now >= until) return;
    // Announce the sleep, then look once more, so that records added in between either show
    // up here or make the listener post a wake-up.
    poller.asleep.store(true, std::memory_order_relaxed);
    pollers_->sleepers.fetch_add(1, std::memory_order_seq_cst);
    const bool got = take();
    if (!got && out.size() < max) sleep(poller, until, idle);
    if (poller.asleep.exchange(false, std::memory_order_acq_rel)) {
      pollers_->sleepers.fetch_sub(1, std::memory_order_relaxed);
    }
    if (got) idle = min_idle_poll;
  }
}

void Mapping::drop_filtered(std::vector<Record>& records) {
  if (config_.filter_criteria.empty()) return;
  std::size_t kept = 0;
  std::vector<Record> dropped;
  for (Record& r : records) {
    const auto body = r.body.view();
    const std::size_t capacity = body.size() + (r.body.padded() ? payload_padding : 0);
    if (config_.filter_criteria.matches(body, capacity)) {
      records[kept++] = r;
    } else {
      dropped.push_back(r);
    }
  }
  if (dropped.empty()) return;
  records.resize(kept);
  counters_.records_filtered.fetch_add(dropped.size(), std::memory_order_relaxed);
  if (kind_ != SourceKind::stream) reader_->ack(dropped);
}

Mapping::Outcome Mapping::invoke(std::span<const Record> records, std::uint32_t shard,
                                 const TumblingWindow* window) {
  const Batch batch{records, config_.source->name(), kind_, shard, window};
  BatchCall call;
  call.batch = &batch;
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  // Bucket k holds batches of 2^k to 2^(k+1)-1 records (an empty final window call: 0).
  const std::size_t bits = std::bit_width(records.size());
  counters_.batch_sizes[std::min(bits == 0 ? 0 : bits - 1, counters_.batch_sizes.size() - 1)]
      .fetch_add(1, std::memory_order_relaxed);
  if (!records.empty()) {
    counters_.iterator_age.record(core_.config.clock->now() - records.back().arrival_time);
  }
  // One deeper than the deepest sender of the batch: a loop through a queue is stopped like
  // any other chain (the engine refuses the call, and the messages go back to the queue,
  // to its dead-letter queue once its redrive policy says so). Streams start a chain.
  std::uint32_t depth = 1;
  for (const Record& r : records) depth = std::max(depth, r.chain_depth + 1);
  InvokeResult result = core_.invoke(config_.function_name, PayloadView{}, nullptr, {}, depth,
                                     Clock::time_point::max(), &call);
  Outcome o;
  if (!result) {
    o.kind = Outcome::Kind::throttled;
    o.recursive = result.error().code == Errc::recursive_invocation;
    o.error_type = std::string(lambda_name(result.error().code));
    o.error_message = result.error().message;
    return o;
  }
  o.request_id = result->request_id;
  o.executed_version = std::move(result->executed_version);
  if (result->function_error) {
    o.kind = Outcome::Kind::function_error;
    o.handled = result->function_error->kind == FunctionError::Kind::handled;
    o.error_type = std::move(result->function_error->error_type);
    o.error_message = std::move(result->function_error->error_message);
    return o;
  }
  o.state = std::move(call.state);
  if (!config_.report_batch_item_failures) return o;
  auto failed = item_failures(call.failed_items, result->payload, records);
  if (!failed) {
    o.kind = Outcome::Kind::function_error;
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

// ---- queues ----

std::vector<Record>::iterator Mapping::hold_back_loops(std::vector<Record>& records) const {
  const auto loops = [](const Record& r) { return r.chain_depth >= EngineCore::max_chain_depth; };
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

void Mapping::run_queue(Poller& poller) {
  std::vector<Record> records;
  records.reserve(batch_size_);
  auto throttle_delay = min_backoff;
  while (!stopping_.load(std::memory_order_acquire)) {
    records.clear();
    gather(poller, records, batch_size_, Clock::time_point::max());
    drop_filtered(records);
    if (records.empty()) continue;
    Outcome outcome = invoke(records, 0, nullptr);
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
    if (outcome.kind == Outcome::Kind::throttled) {
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

void Mapping::settle_queue(std::vector<Record>& records, const Outcome& outcome) {
  if (outcome.kind == Outcome::Kind::function_error) {
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

// ---- streams ----

void Mapping::run_stream(Poller& poller) {
  std::vector<Record> records;
  const std::uint32_t factor = config_.parallelization_factor;
  records.reserve(std::size_t{batch_size_} * factor);
  const auto window_length = config_.tumbling_window;
  WindowState window;
  const Clock& clock = *core_.config.clock;
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
  for (const Record& r : records) lanes[key_hash(r.partition_key) % factor].push_back(r);
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
  const Clock& clock = *core_.config.clock;
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
        send_to_failure(part, shard, "RecordAgeExceeded", r.attempts, Outcome{});
        break;
      }
      TumblingWindow tumbling;
      if (window != nullptr) {
        tumbling.start = *window->start;
        tumbling.end = *window->start + config_.tumbling_window;
        tumbling.state = window->state;
        tumbling.is_final_invoke_for_window = final_invoke;
      }
      const Outcome o = invoke(part, shard, window != nullptr ? &tumbling : nullptr);
      if (o.kind == Outcome::Kind::throttled) {
        counters_.batches_throttled.fetch_add(1, std::memory_order_relaxed);
        backoff(delay);
        continue;
      }
      if (o.kind == Outcome::Kind::ok && o.failed.empty()) {
        counters_.records_succeeded.fetch_add(part.size(), std::memory_order_relaxed);
        if (window != nullptr) window->state = final_invoke ? std::string() : o.state;
        break;
      }
      counters_.batches_failed.fetch_add(1, std::memory_order_relaxed);
      ++r.attempts;
      if (o.kind == Outcome::Kind::ok) {
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
                              const Outcome& outcome) {
  counters_.records_failed.fetch_add(records.size(), std::memory_order_relaxed);
  if (config_.on_failure.empty() || records.empty()) return;
  const auto to_system = [&](Clock::time_point t) {
    return std::chrono::system_clock::now() -
           std::chrono::duration_cast<std::chrono::system_clock::duration>(
               core_.config.clock->now() - t);
  };
  InvocationRecord record;
  std::string& j = record.json;
  const RequestId id = core_.request_ids.next();
  const std::string function = config_.function_name;
  j += R"({"requestContext":{"requestId":")";
  j += id.to_string();
  j += R"(","functionArn":"arn:aws:lambda:local:000000000000:function:)";
  j += function;
  j += R"(","condition":")";
  j += condition;
  j += R"(","approximateInvokeCount":)";
  j += std::to_string(attempts);
  j += R"(},"responseContext":{"statusCode":200,"executedVersion":)";
  append_json_string(j, outcome.executed_version);
  const std::string_view error_kind = outcome.error_type.empty() ? std::string_view()
                                      : outcome.handled          ? "Handled"
                                                                 : "Unhandled";
  if (!error_kind.empty()) {
    j += R"(,"functionError":")";
    j += error_kind;
    j += '"';
  }
  j += R"(},"version":"1.0","timestamp":")";
  j += iso8601(std::chrono::system_clock::now());
  j += R"(","KinesisBatchInfo":{"shardId":"shardId-)";
  char shard_id[16];
  std::snprintf(shard_id, sizeof shard_id, "%012u", shard);
  j += shard_id;
  j += R"(","startSequenceNumber":")";
  j += records.front().id;
  j += R"(","endSequenceNumber":")";
  j += records.back().id;
  j += R"(","approximateArrivalOfFirstRecord":")";
  j += iso8601(to_system(records.front().arrival_time));
  j += R"(","approximateArrivalOfLastRecord":")";
  j += iso8601(to_system(records.back().arrival_time));
  j += R"(","batchSize":)";
  j += std::to_string(records.size());
  j += R"(,"streamArn":)";
  append_json_string(j, config_.source->name());
  j += "}}";
  record.condition = condition;
  record.request_id = id;
  record.function_name = config_.function_name;
  record.executed_version = outcome.executed_version;
  record.approximate_invoke_count = attempts;
  record.function_error = error_kind;
  record.records = records;
  if (!core_.deliver(config_.on_failure, record, 1)) {
    counters_.destination_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace nanofaas::detail
