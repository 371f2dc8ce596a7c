#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>

#include "exec/log_entry.hpp"
#include "nanofaas/engine_config.hpp"

namespace nanofaas::detail {

/// The hand-off between workers and the host's log sink: workers push entries into a bounded
/// lock-free queue and never wait; one thread of its own formats them and calls the sink.
/// When `capacity` entries wait, a new one is dropped and counted instead.
class LogWriter {
 public:
  using Sink = std::function<void(const LogRecord&)>;

  /// Starts the writer thread. `producers`: the threads that push (the workers).
  LogWriter(Sink sink, std::size_t capacity, std::size_t producers);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  /// Hands `entry` to the writer thread, or drops and counts it when the queue is full or the
  /// writer has stopped. Never blocks; any thread.
  void push(LogEntry&& entry) noexcept;
  /// Writes every entry pushed before, then ends the thread. Idempotent; not concurrent with
  /// `push` from other threads (the engine calls it once its workers are joined).
  void stop() noexcept;
  /// Entries dropped so far.
  [[nodiscard]] std::uint64_t dropped() const noexcept {
    return dropped_.load(std::memory_order_relaxed);
  }

 private:
  void run() noexcept;
  /// Formats and sinks what is queued; returns how many entries that was.
  std::size_t drain(moodycamel::ConsumerToken& token, LogEntry* batch, std::string& line) noexcept;

  Sink sink_;
  std::int64_t capacity_;
  moodycamel::ConcurrentQueue<LogEntry> queue_;
  // accepted_ - written_: entries waiting (signed: the writer may take an entry before its
  // pusher counts it). Apart, so that workers and the writer do not share a cache line.
  alignas(64) std::atomic<std::uint64_t> accepted_{0};
  alignas(64) std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  // The writer sleeps on `wakeups_` with `sleeping_` set; a pusher that sees it set bumps and
  // notifies. Both sides use seq_cst, so either the writer sees the new entry or the pusher
  // sees the writer asleep.
  alignas(64) std::atomic<bool> sleeping_{false};
  std::atomic<std::uint32_t> wakeups_{0};
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace nanofaas::detail
