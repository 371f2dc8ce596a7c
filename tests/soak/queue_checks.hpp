#pragma once

#include <cstdint>
#include <vector>

#include "message_ledger.hpp"
#include "queue_farm.hpp"
#include "violations.hpp"

// After shutdown: every message sent to a mapped queue was deleted (processed or filtered),
// is still in its queue, or is in its dead-letter queue, exactly one of the three.

namespace soak {

/// One queue's figures.
struct QueueTally {
  std::uint16_t index = 0;
  QueueShape shape = QueueShape::standard;
  std::uint64_t sent = 0;
  std::uint64_t deleted = 0;             ///< processed successfully or filtered
  std::uint64_t filtered_kind = 0;       ///< of those, of a kind a filter drops
  std::uint64_t in_queue = 0;            ///< visible, in flight or delayed at shutdown
  std::uint64_t dead_lettered = 0;       ///< in the dead-letter queue at shutdown
  std::uint64_t runs = 0;                ///< successful runs (a message may run more than once)
  std::uint64_t processed = 0;           ///< messages with at least one successful run
  std::uint64_t dead_after_success = 0;  ///< at-least-once: ran, then redriven anyway
  MappingTotals mappings{};
};

/// Drains every queue and dead-letter queue (after shutdown, with the mappings stopped) and
/// checks each message against the ledger. `seed` decides each message's kind.
std::vector<QueueTally> check_queues(QueueFarm& farm, MessageLedger& ledger, std::uint64_t seed,
                                     Violations& violations);
/// Prints one row per queue and the totals.
void print_queues(const std::vector<QueueTally>& tallies);

}  // namespace soak
