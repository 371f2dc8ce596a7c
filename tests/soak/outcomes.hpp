#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "async_ledger.hpp"
#include "nanofaas/async_config.hpp"
#include "nanofaas/queue.hpp"
#include "nanofaas/record_sink.hpp"

// Where asynchronous outcomes go: RecordSinks, callbacks, queues and the spill handler, each
// writing what it gets into the AsyncLedger.

namespace soak {

/// The retry settings of one function's event invoke configuration.
struct RetrySettings {
  std::uint32_t maximum_retry_attempts = 2;
  std::vector<std::chrono::nanoseconds> retry_delays{};
  std::chrono::nanoseconds maximum_event_age = std::chrono::hours(6);
};

/// True for the functions that receive other functions' invocation records.
bool is_audit_function(std::string_view name);

/// Owns every outcome target of one engine and routes what they get to the ledger.
class Outcomes {
 public:
  explicit Outcomes(AsyncLedger& ledger);

  /// The event invoke configuration of a function with `profile` (`audit`: the function that
  /// gets its records, for `Profile::audit_function`).
  [[nodiscard]] nanofaas::AsyncConfig async_config(Profile profile, const std::string& audit,
                                                   const RetrySettings& retry) const;
  /// EngineConfig::async_spill.
  [[nodiscard]] std::function<void(const nanofaas::DeadLetter&)> spill_handler();
  /// Takes what the destination queues hold now into the ledger; returns how many messages.
  std::size_t drain_destination_queues();
  /// Messages in the destination queues now (visible, in flight or delayed).
  [[nodiscard]] std::size_t destination_queue_depth() const;
  /// Records that reached a callback meant for the other outcome.
  [[nodiscard]] std::uint64_t misrouted() const { return misrouted_->load(); }

 private:
  AsyncLedger& ledger_;
  std::shared_ptr<std::atomic<std::uint64_t>> misrouted_;
  std::shared_ptr<nanofaas::RecordSink> records_;             // primary for records
  std::shared_ptr<nanofaas::RecordSink> extra_dead_letters_;  // beside an on_failure target
  std::shared_ptr<nanofaas::Queue> success_queue_;
  std::shared_ptr<nanofaas::Queue> dead_letter_queue_;
  std::unique_ptr<nanofaas::SourceReader> success_reader_;
  std::unique_ptr<nanofaas::SourceReader> dead_letter_reader_;
};

}  // namespace soak
