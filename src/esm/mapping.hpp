#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esm/mapping_host.hpp"
#include "esm/poller.hpp"
#include "exec/atomic_histogram.hpp"
#include "nanofaas/batch.hpp"
#include "nanofaas/event_source_mapping.hpp"

namespace nanofaas::detail {

struct BatchOutcome;
struct PollerSet;

/// One event source mapping: its source reader, its pollers, its counters. Pollers run as
/// fibers on the engine's workers (a queue's `maximum_concurrency` of them, or one per
/// shard), poll without blocking their worker, and invoke the function with each batch.
class Mapping {
 public:
  /// A mapping that runs on `host`.
  Mapping(std::unique_ptr<MappingHost> host, std::string uuid, EventSourceMappingConfig config,
          std::unique_ptr<SourceReader> reader);
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  /// Starts the pollers when the mapping is enabled. Does not block.
  void start();
  /// Stops the pollers after their current batch and waits for them. Blocks: a plain thread
  /// only (not a worker).
  void stop();
  /// Stops, takes the new settings (same source), and starts again. Blocks like `stop`.
  void reconfigure(EventSourceMappingConfig config);

  [[nodiscard]] const std::string& uuid() const noexcept { return uuid_; }
  [[nodiscard]] const EventSourceMappingConfig& config() const noexcept { return config_; }
  [[nodiscard]] EventSourceMappingMetrics metrics() const;

  /// A poller fiber's loop.
  void run(Poller& poller) noexcept;

 private:
  struct Range;
  struct WindowState;

  /// Throttled batches and failing stream batches wait this long, doubling, before a retry.
  static constexpr std::chrono::nanoseconds min_backoff = std::chrono::milliseconds(1);
  static constexpr std::chrono::nanoseconds max_backoff = std::chrono::milliseconds(100);

  void run_queue(Poller& poller);
  /// Moves the messages of a recursive loop (and, in a FIFO queue, the rest of their groups)
  /// to the end of `records`, keeping the others' order; returns where they start.
  std::vector<Record>::iterator hold_back_loops(std::vector<Record>& records) const;
  void run_stream(Poller& poller);
  /// Polls into `out` until `max` records, the batching window, the payload limit, a stop,
  /// or (with nothing polled) `idle_until` by the engine's clock.
  void gather(Poller& poller, std::vector<Record>& out, std::size_t max,
              Clock::time_point idle_until);
  /// Parks the poller until a wake-up, `until` (engine clock), or the idle poll interval.
  void sleep(Poller& poller, Clock::time_point until, std::chrono::nanoseconds& idle);
  /// Removes records the filter rejects (queues: deletes them) and counts them.
  void drop_filtered(std::vector<Record>& records);
  BatchOutcome invoke(std::span<const Record> records, std::uint32_t shard,
                      const TumblingWindow* window);
  void settle_queue(std::vector<Record>& records, const BatchOutcome& outcome);
  /// Runs a stream batch to its end: success, or the retry / age limit and `on_failure`.
  /// False when the mapping stopped first (nothing after the returned prefix is done).
  bool process(std::span<const Record> records, std::uint32_t shard, WindowState* window,
               std::size_t& done);
  bool process_parallel(Poller& poller, std::span<const Record> records);
  void send_to_failure(std::span<const Record> records, std::uint32_t shard,
                       std::string_view condition, std::uint32_t attempts,
                       const BatchOutcome& outcome);
  void backoff(std::chrono::nanoseconds& delay);
  void wake_all() noexcept;

  std::unique_ptr<MappingHost> host_;
  const std::string uuid_;
  EventSourceMappingConfig config_;  // replaced only while stopped
  SourceKind kind_;
  std::uint32_t batch_size_ = 0;
  std::unique_ptr<SourceReader> reader_;
  std::shared_ptr<PollerSet> pollers_;
  std::atomic<bool> stopping_{false};

  std::mutex live_mutex_;
  std::condition_variable live_changed_;
  std::uint32_t live_ = 0;

  struct Counters {
    std::atomic<std::uint64_t> records_polled{0};
    std::atomic<std::uint64_t> records_filtered{0};
    std::atomic<std::uint64_t> records_succeeded{0};
    std::atomic<std::uint64_t> records_failed{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> batches_failed{0};
    std::atomic<std::uint64_t> batches_bisected{0};
    std::atomic<std::uint64_t> batches_throttled{0};
    std::atomic<std::uint64_t> destination_failures{0};
    std::array<std::atomic<std::uint64_t>, 15> batch_sizes{};
    AtomicHistogram iterator_age;
  };
  Counters counters_;
};

}  // namespace nanofaas::detail
