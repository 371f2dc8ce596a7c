#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "async_ledger.hpp"
#include "fleet.hpp"
#include "message_ledger.hpp"
#include "nanofaas/engine.hpp"
#include "queue_farm.hpp"

// The data-plane load: threads that invoke functions asynchronously, send queue messages, and
// call functions synchronously, until told to stop.

namespace soak {

/// What the load threads did, for the report and the checks.
struct TrafficCounters {
  std::atomic<std::uint64_t> events_with_completion{0};
  std::atomic<std::uint64_t> events_refused{0};
  std::array<std::atomic<std::uint64_t>, 16> refused_by_code{};  ///< by `Errc`
  std::atomic<std::uint64_t> sync_ok{0}, sync_function_errors{0}, sync_engine_errors{0};
  std::atomic<std::uint64_t> sync_unexpected{0};  ///< a result its behaviour cannot give
  std::atomic<std::uint64_t> messages_sent{0}, sends_refused_full{0};
  std::atomic<std::uint64_t> send_errors{0};  ///< refusals other than a full queue
};

/// Spreads `total` over `duration` in 100 ms bursts (and goes on at that rate after it);
/// with no duration, no limit.
class Pacer {
 public:
  Pacer(std::uint64_t total, double duration_seconds, std::chrono::steady_clock::time_point start)
      : total_(total), duration_seconds_(duration_seconds), start_(start) {}
  /// How many may have been sent by `now`.
  [[nodiscard]] std::uint64_t allowed(std::chrono::steady_clock::time_point now) const;

 private:
  std::uint64_t total_;
  double duration_seconds_;
  std::chrono::steady_clock::time_point start_;
};

/// Everything a load thread uses; all of it outlives the threads.
struct Traffic {
  nanofaas::Engine* engine = nullptr;
  const Fleet* fleet = nullptr;
  AsyncLedger* ledger = nullptr;
  MessageLedger* messages = nullptr;
  QueueFarm* farm = nullptr;
  TrafficCounters* counters = nullptr;
  const std::atomic<bool>* stop = nullptr;
  /// Set for the last moments before the shutdown: the producers stop pacing themselves.
  const std::atomic<bool>* burst = nullptr;
  Pacer events{0, 0, {}};
  Pacer records{0, 0, {}};
};

/// Invokes random functions asynchronously (this thread's `1 / producers` share).
void produce_events(const Traffic& traffic, unsigned producer, unsigned producers);
/// Sends messages to random mapped queues, one at a time or in batches.
void produce_messages(const Traffic& traffic);
/// Calls random functions synchronously, a few thousand times a second.
void call_synchronously(const Traffic& traffic);

}  // namespace soak
