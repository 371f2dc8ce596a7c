#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "async_ledger.hpp"
#include "message_ledger.hpp"
#include "nanofaas/engine.hpp"
#include "outcomes.hpp"

// The soak's functions: hundreds invoked asynchronously, a few audit functions that receive
// their records, and the functions the mapped queues invoke.

namespace soak {

/// The names and fixed settings of every function in one run.
struct Fleet {
  std::vector<std::string> async_names;   ///< "a000"…: invoked asynchronously
  std::vector<Profile> profiles;          ///< per async function
  std::vector<std::string> audits;        ///< per async function: its audit function, if any
  std::vector<std::string> audit_names;   ///< "audit0"…
  std::vector<std::string> report_names;  ///< "r00"…: batches with ReportBatchItemFailures
  std::vector<std::string> whole_names;   ///< "w00"…: batches that fail whole
  std::uint64_t seed = 0;

  /// The profile of "a123" or "a123:qualifier" (record sinks for anything else).
  [[nodiscard]] Profile profile_of(std::string_view name) const;
  /// Every function's name, for the chaos that applies to all.
  [[nodiscard]] std::vector<std::string> all_names() const;
  /// True for the functions whose versions and alias "live" change while the soak runs: one
  /// async function in eight and every mapped function. They start with version 1 and
  /// "live" pointing at it; the others are only ever called unqualified.
  [[nodiscard]] bool versioned(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> versioned_names() const;
};

/// A fleet of `functions` async functions (and fixed numbers of the others).
Fleet make_fleet(std::uint32_t functions, std::uint64_t seed);

/// What handlers read while they run; outlives the engine.
struct HandlerWorld {
  AsyncLedger* ledger = nullptr;
  MessageLedger* messages = nullptr;
  const Fleet* fleet = nullptr;
};

/// Random retry settings for one function: 0-2 retries, delays of a few milliseconds, and
/// now and then a maximum event age short enough to expire events in a backlog.
RetrySettings random_retry_settings(std::uint64_t seed);

/// Registers every function of `fleet` on `engine`; throws when the engine refuses one.
void register_fleet(nanofaas::Engine& engine, const Fleet& fleet, const HandlerWorld& world,
                    const Outcomes& outcomes);

}  // namespace soak
