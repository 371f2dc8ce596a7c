#include "exec/log_writer.hpp"

#include <pthread.h>

#include <array>
#include <chrono>
#include <string>
#include <utility>

namespace nanofaas::detail {
namespace {

constexpr std::size_t batch_size = 64;
// The writer naps this long between looks while lines came recently, and sleeps until woken
// after this many empty looks in a row (5 ms).
constexpr auto nap = std::chrono::microseconds(200);
constexpr int max_naps = 25;

// A platform record's level: what `SystemLogLevel` filters it by (a fault is a WARN).
LogLevel level_of(const LogEntry& e) {
  switch (e.kind) {
    case LogKind::function: return e.level;
    case LogKind::end: return LogLevel::debug;
    case LogKind::fault: return LogLevel::warn;
    default: return LogLevel::info;
  }
}

}  // namespace

LogWriter::LogWriter(Sink sink, std::size_t capacity, std::size_t producers)
    : sink_(std::move(sink)),
      capacity_(static_cast<std::int64_t>(capacity)),
      // Blocks for `capacity` entries and each producer's partly filled one, allocated here:
      // a push under the bound reuses them (a producer's block index may grow, once).
      queue_(capacity + producers * moodycamel::ConcurrentQueueDefaultTraits::BLOCK_SIZE, 0,
             producers + 1) {
  thread_ = std::thread([this] { run(); });
}

LogWriter::~LogWriter() {
  stop();
}

void LogWriter::push(LogEntry&& entry) noexcept {
  const std::uint64_t waiting =
      accepted_.load(std::memory_order_relaxed) - written_.load(std::memory_order_relaxed);
  if (static_cast<std::int64_t>(waiting) >= capacity_ ||
      stopping_.load(std::memory_order_relaxed) || !queue_.enqueue(std::move(entry))) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  accepted_.fetch_add(1, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst)) {
    wakeups_.fetch_add(1, std::memory_order_seq_cst);
    wakeups_.notify_one();
  }
}

std::size_t LogWriter::drain(moodycamel::ConsumerToken& token, LogEntry* batch,
                             std::string& line) noexcept {
  const std::size_t n = queue_.try_dequeue_bulk(token, batch, batch_size);
  for (std::size_t i = 0; i < n; ++i) {
    const LogEntry& e = batch[i];
    line.clear();
    std::string id;
    try {
      format_log_line(e, line);
      if (e.request_id) id = e.request_id.to_string();
      LogRecord record;
      record.function_name = e.kind == LogKind::fault ? std::string_view(e.owner) : e.function_name;
      record.version = e.version;
      record.request_id = id;
      record.source =
          e.kind == LogKind::function ? LogRecord::Source::function : LogRecord::Source::platform;
      record.level = level_of(e);
      record.message = e.text;
      record.line = line;
      sink_(record);
    } catch (...) {
      // A sink that throws loses its line, not the writer.
    }
    batch[i] = LogEntry{};
  }
  if (n > 0) written_.fetch_add(n, std::memory_order_seq_cst);
  return n;
}

void LogWriter::run() noexcept {
  pthread_setname_np(pthread_self(), "nanofaas-log");  // for `top -H`, perf and debuggers
  moodycamel::ConsumerToken token(queue_);
  std::array<LogEntry, batch_size> batch;
  std::string line;
  int naps = 0;
  for (;;) {
    if (drain(token, batch.data(), line) > 0) {
      naps = 0;
      continue;
    }
    // Out of entries: nap a little and look again before sleeping until woken. While lines
    // keep coming, they wait up to a nap and go in batches, and no pusher makes a system call
    // to wake this thread.
    if (naps < max_naps && !stopping_.load(std::memory_order_relaxed)) {
      ++naps;
      std::this_thread::sleep_for(nap);
      continue;
    }
    naps = 0;
    const std::uint32_t seen = wakeups_.load(std::memory_order_seq_cst);
    sleeping_.store(true, std::memory_order_seq_cst);
    const bool waiting =
        accepted_.load(std::memory_order_seq_cst) != written_.load(std::memory_order_relaxed);
    if (!waiting && stopping_.load(std::memory_order_seq_cst)) break;
    if (!waiting) wakeups_.wait(seen, std::memory_order_seq_cst);
    sleeping_.store(false, std::memory_order_relaxed);
  }
}

void LogWriter::stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true, std::memory_order_seq_cst);
  wakeups_.fetch_add(1, std::memory_order_seq_cst);
  wakeups_.notify_one();
  thread_.join();
}

}  // namespace nanofaas::detail
