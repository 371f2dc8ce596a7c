#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/queue.hpp"

// The mapped queues, each with a dead-letter queue (redrive after a few receives), and the
// event source mappings that the chaos creates, changes and deletes while messages flow.

namespace soak {

/// Counters summed over the mappings a queue has had.
struct MappingTotals {
  std::uint64_t polled = 0, filtered = 0, succeeded = 0, batches = 0, batches_failed = 0,
                batches_throttled = 0;
  void add(const nanofaas::EventSourceMappingMetrics& m);
};

/// How a queue is read: its shape decides the mappings it can have.
enum class QueueShape : std::uint8_t {
  standard,  ///< batches up to 10, short windows
  wide,      ///< batches up to 100 with Lambda's minimum 1 s window, long visibility
  fifo,      ///< FIFO, batches up to 10, no window
};

struct MappedQueue {
  std::uint16_t index = 0;
  QueueShape shape = QueueShape::standard;
  std::shared_ptr<nanofaas::Queue> queue;
  std::shared_ptr<nanofaas::Queue> dead_letters;
  /// The live mappings (touched by the chaos thread only, and after it stopped).
  struct Mapping {
    std::string uuid;
    nanofaas::EventSourceMappingConfig config;
  };
  std::vector<Mapping> mappings;
  MappingTotals totals;
  std::uint64_t deleted_while_enabled = 0;  ///< their last batches are not in `totals`
};

/// The queues of one run.
class QueueFarm {
 public:
  /// `standard` standard queues, plus two wide and two FIFO ones.
  QueueFarm(std::uint32_t standard, const Fleet& fleet);

  [[nodiscard]] std::vector<MappedQueue>& queues() noexcept { return queues_; }
  [[nodiscard]] std::chrono::nanoseconds longest_visibility_timeout() const;

  /// Creates a random mapping on queue `q`; false when the engine refused it.
  bool create_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng);
  /// Deletes one of its mappings (disabled first, most of the time); false if none or refused.
  bool delete_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng);
  /// Changes one of its mappings: enabled, batch size, concurrency, filter.
  bool update_mapping(nanofaas::Engine& engine, MappedQueue& q, std::mt19937_64& rng);
  /// Adds every live mapping's counters to its queue's totals (after shutdown).
  void collect_live_mappings(const nanofaas::Engine& engine);

 private:
  [[nodiscard]] nanofaas::EventSourceMappingConfig random_config(const MappedQueue& q,
                                                                 std::mt19937_64& rng) const;
  void randomise_batching(const MappedQueue& q, nanofaas::EventSourceMappingConfig& config,
                          std::mt19937_64& rng) const;

  const Fleet& fleet_;
  nanofaas::FilterCriteria drop_filtered_;
  std::vector<MappedQueue> queues_;
};

}  // namespace soak
