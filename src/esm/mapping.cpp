// An event source mapping's lifecycle: its pollers start as fibers on the engine's workers,
// sleep while the source is empty and are woken by its listener, and stop after their
// current batch. Every polled record ends in exactly one counter: filtered, succeeded, failed
// (sent to `on_failure`), or is polled again (a queue's visibility timeout, a stream's retry
// or rewind).

#include "esm/mapping.hpp"

#include <thread>

#include "esm/poller_set.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {
namespace {

/// Pollers of a queue mapping without `maximum_concurrency`: Lambda's initial five.
constexpr std::uint32_t default_queue_pollers = 5;

std::uint32_t default_batch_size(SourceKind kind) {
  return kind == SourceKind::stream ? 100 : 10;
}

}  // namespace

Mapping::Mapping(std::unique_ptr<MappingHost> host, std::string uuid,
                 EventSourceMappingConfig config, std::unique_ptr<SourceReader> reader)
    : host_(std::move(host)),
      uuid_(std::move(uuid)),
      config_(std::move(config)),
      kind_(config_.source->kind()),
      reader_(std::move(reader)) {}

Mapping::~Mapping() {
  reader_->set_listener({});
}

Job start_poller_job(Poller& poller) noexcept {
  return Job{[](Worker& worker, const Job& job) {
               auto& poller = *static_cast<Poller*>(job.a);
               worker.spawn([&poller] { run_poller(poller); });
             },
             &poller};
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
    p->worker = &host_->worker_for(i);
    set->pollers.push_back(std::move(p));
  }
  host_->keep_poller_set(set);
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
          p->worker->post(Task::wake(p->mailbox));
        }
      }
    }
    set->listener_calls.fetch_sub(1, std::memory_order_release);
  });
  for (auto& p : set->pollers) {
    p->worker->post(Task::run(start_poller_job(*p)));
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
    auto lock = host_->lock_registry();
    config_ = std::move(config);
  }
  start();
}

void Mapping::wake_all() noexcept {
  for (auto& p : pollers_->pollers) {
    p->worker->post(Task::wake(p->mailbox));
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
    const std::string message = std::string("event source mapping poller stopped: ") + e.what();
    host_->log_fault(config_.function_name, message);
  }
  std::lock_guard lock(live_mutex_);
  if (--live_ == 0) live_changed_.notify_all();
}

}  // namespace nanofaas::detail
