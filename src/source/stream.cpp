#include "nanofaas/stream.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/spinlock.hpp"

namespace nanofaas {
namespace detail {
namespace {

using Listeners = std::vector<std::function<void()>>;

constexpr std::uint32_t max_shards = 1024;
constexpr std::size_t chunk_size = 256;

constexpr std::size_t id_capacity = 23;  // a 64-bit sequence number in decimal fits

// One record. `data` is alive exactly while the record is retained (constructed and destroyed
// by the shard: no empty payloads are made or freed on the hot path).
struct Entry {
  Entry() noexcept {}  // leaves `data` unconstructed
  ~Entry() {}
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  union {
    Payload data;
  };
  std::string key{};
  Clock::time_point arrival{};
  std::uint8_t id_size = 0;
  char id[id_capacity]{};  // the sequence number in decimal: Record::id views it
};

// Entries live in fixed chunks, so polled records' views survive appends and trims of others.
struct Chunk {
  Entry entries[chunk_size];
};

// One reader's position in one shard. Guarded by the shard's lock.
struct Cursor {
  std::uint64_t next = 1;        // the next sequence number to poll
  std::uint64_t checkpoint = 0;  // processed up to here
  std::uint64_t polled = 0;      // the highest sequence number polled
};

struct alignas(64) Shard {
  Shard() {
    next_id[0] = '1';
    next_id_size = 1;
  }
  ~Shard() {
    for (std::uint64_t seq = first; seq < next; ++seq) at(seq).data.~Payload();
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  YieldingSpinlock lock;
  // Chunk number c (sequence numbers 256c+1 ... 256c+256) is at ring[c & ring_mask]; the ring
  // holds the chunks from the oldest retained record's to the newest's.
  std::vector<std::unique_ptr<Chunk>> ring = std::vector<std::unique_ptr<Chunk>>(4);
  std::uint64_t ring_mask = 3;
  std::unique_ptr<Chunk> spare;  // the last chunk trimmed, reused by the next append
  std::uint64_t first = 1;       // the oldest retained record
  std::uint64_t next = 1;        // the sequence number of the next record
  // `next` in decimal text, counted up (cheaper than formatting each one).
  char next_id[id_capacity]{};
  std::uint8_t next_id_size = 0;
  std::vector<Cursor*> cursors;  // open readers' positions
  // A copy per shard, so producers on different shards share no reference count.
  std::shared_ptr<const Listeners> listeners;

  static std::uint64_t chunk_of(std::uint64_t sequence) noexcept {
    return (sequence - 1) / chunk_size;
  }
  Entry& at(std::uint64_t sequence) noexcept {
    const std::uint64_t k = sequence - 1;
    return ring[(k / chunk_size) & ring_mask]->entries[k % chunk_size];
  }
  [[gnu::noinline]] void new_chunk() {
    const std::uint64_t c = chunk_of(next);
    const std::uint64_t oldest = first == next ? c : chunk_of(first);
    if (c - oldest + 1 > ring.size()) {
      std::vector<std::unique_ptr<Chunk>> bigger(ring.size() * 2);
      const std::uint64_t mask = bigger.size() - 1;
      for (std::uint64_t k = oldest; k < c; ++k) bigger[k & mask] = std::move(ring[k & ring_mask]);
      ring = std::move(bigger);
      ring_mask = mask;
    }
    ring[c & ring_mask] = spare ? std::move(spare) : std::make_unique<Chunk>();
  }
  // Appends a record; the caller fills it in.
  Entry& append(Payload&& data, Clock::time_point arrival) {
    if ((next - 1) % chunk_size == 0) new_chunk();
    Entry& e = at(next);
    new (&e.data) Payload(std::move(data));
    e.arrival = arrival;
    std::memcpy(e.id, next_id, id_capacity);
    e.id_size = next_id_size;
    ++next;
    for (std::size_t k = next_id_size;;) {
      if (k-- == 0) {  // 99 -> 100
        next_id[0] = '1';
        next_id[next_id_size++] = '0';
        break;
      }
      if (next_id[k] != '9') {
        ++next_id[k];
        break;
      }
      next_id[k] = '0';
    }
    return e;
  }
  void drop_front() noexcept {
    Entry& e = at(first);
    e.data.~Payload();
    e.key.clear();
    ++first;
    if ((first - 1) % chunk_size == 0) {  // the oldest chunk is empty now
      auto& chunk = ring[(chunk_of(first) - 1) & ring_mask];
      if (!spare) spare = std::move(chunk);
      chunk.reset();
    }
  }
  // Drops records past retention, except those a reader polled and has not checkpointed.
  void trim(Clock::time_point now, std::chrono::nanoseconds retention) noexcept {
    if (first == next) return;
    const Clock::time_point horizon = now - retention;
    if (at(first).arrival > horizon) return;
    std::uint64_t floor = std::numeric_limits<std::uint64_t>::max();
    for (const Cursor* c : cursors) {
      if (c->polled > c->checkpoint) floor = std::min(floor, c->checkpoint + 1);
    }
    while (first < next && first < floor && at(first).arrival <= horizon) drop_front();
  }
  // The first retained record that arrived at or after `t` (records arrive in order).
  std::uint64_t find(Clock::time_point t) noexcept {
    std::uint64_t lo = first;
    std::uint64_t hi = next;
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (at(mid).arrival < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

Unexpected<Error> invalid(std::string message) {
  return Unexpected(Error{Errc::invalid_argument, std::move(message)});
}

void wake(const std::shared_ptr<const Listeners>& list) {
  if (!list) return;
  for (const auto& f : *list) f();
}

}  // namespace

struct StreamState {
  explicit StreamState(StreamConfig c)
      : config(std::move(c)), shards(std::make_unique<Shard[]>(config.shards)) {}

  StreamConfig config;
  std::unique_ptr<Shard[]> shards;
  std::atomic<std::uint64_t> expired{0};
  std::mutex listener_mutex;
  std::vector<std::pair<const void*, std::function<void()>>> listener_entries;

  void set_listener(const void* reader, std::function<void()> wake) {
    std::lock_guard guard(listener_mutex);
    auto it = std::find_if(listener_entries.begin(), listener_entries.end(),
                           [&](const auto& e) { return e.first == reader; });
    if (it != listener_entries.end()) listener_entries.erase(it);
    if (wake) listener_entries.emplace_back(reader, std::move(wake));
    for (std::uint32_t s = 0; s < config.shards; ++s) {
      std::shared_ptr<const Listeners> list;
      if (!listener_entries.empty()) {
        auto fresh = std::make_shared<Listeners>();
        for (const auto& e : listener_entries) fresh->push_back(e.second);
        list = std::move(fresh);
      }
      Shard& shard = shards[s];
      {
        std::lock_guard shard_guard(shard.lock);
        shard.listeners.swap(list);
      }
      // `list` now holds the old snapshot, released outside the shard's lock.
    }
  }
};

namespace {

class StreamReader final : public SourceReader {
 public:
  StreamReader(std::shared_ptr<StreamState> state, const ReaderOptions& options)
      : state_(std::move(state)), cursors_(std::make_unique<Cursor[]>(state_->config.shards)) {
    for (std::uint32_t s = 0; s < state_->config.shards; ++s) {
      Shard& shard = state_->shards[s];
      Cursor& c = cursors_[s];
      std::lock_guard guard(shard.lock);
      switch (options.starting_position) {
        case StartingPosition::trim_horizon: c.next = shard.first; break;
        case StartingPosition::latest: c.next = shard.next; break;
        case StartingPosition::at_timestamp: c.next = shard.find(options.timestamp); break;
      }
      // Nothing before the start is this reader's to protect from trimming.
      c.checkpoint = c.polled = c.next - 1;
      shard.cursors.push_back(&c);
    }
  }
  ~StreamReader() override {
    state_->set_listener(this, {});
    for (std::uint32_t s = 0; s < state_->config.shards; ++s) {
      Shard& shard = state_->shards[s];
      std::lock_guard guard(shard.lock);
      std::erase(shard.cursors, &cursors_[s]);
    }
  }

  std::uint32_t lanes() const noexcept override { return state_->config.shards; }

  std::size_t poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) override {
    if (lane >= state_->config.shards || max == 0) return 0;
    Shard& shard = state_->shards[lane];
    Cursor& c = cursors_[lane];
    std::lock_guard guard(shard.lock);
    if (c.next >= shard.next) return 0;  // nothing new: no need to read the clock
    shard.trim(state_->config.clock->now(), state_->config.retention);
    if (c.next < shard.first) {
      // Trimmed before this reader got to them: counted, and reading goes on from there.
      state_->expired.fetch_add(shard.first - c.next, std::memory_order_relaxed);
      c.next = shard.first;
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(max, shard.next - c.next));
    if (n == 0) return 0;
    for (std::uint64_t seq = c.next, end = c.next + n; seq < end; ++seq) {
      Entry& e = shard.at(seq);
      out.push_back(Record{
          .id = std::string_view(e.id, e.id_size),
          .body = PayloadView(e.data),
          .attributes = {},
          .partition_key = e.key,
          .sequence_number = seq,
          .arrival_time = e.arrival,
          .receive_count = 0,
          .lane = lane,
          .handle = seq,
      });
    }
    c.next += n;
    c.polled = std::max(c.polled, c.next - 1);
    return n;
  }

  void ack(std::span<const Record>) override {}

  void nack(std::span<const Record> records, std::chrono::nanoseconds) override {
    // Usually one lane: rewind once per run of records of the same lane.
    for (std::size_t k = 0; k < records.size();) {
      const std::uint32_t lane = records[k].lane;
      std::uint64_t lowest = records[k].sequence_number;
      for (++k; k < records.size() && records[k].lane == lane; ++k) {
        lowest = std::min(lowest, records[k].sequence_number);
      }
      if (lane >= state_->config.shards) continue;
      Shard& shard = state_->shards[lane];
      Cursor& c = cursors_[lane];
      std::lock_guard guard(shard.lock);
      const std::uint64_t target = std::max(lowest, shard.first);
      if (target < c.next) c.next = target;
    }
  }

  void checkpoint(std::uint32_t lane, std::uint64_t sequence_number) override {
    if (lane >= state_->config.shards) return;
    Shard& shard = state_->shards[lane];
    Cursor& c = cursors_[lane];
    std::lock_guard guard(shard.lock);
    // Past the newest record means up to the newest: later records are still protected.
    c.checkpoint = std::max(c.checkpoint, std::min(sequence_number, shard.next - 1));
    // Processed records are not read again, even after a `nack` rewound past them.
    if (c.next <= c.checkpoint) c.next = c.checkpoint + 1;
  }

  void extend_visibility(std::span<const Record>, std::chrono::nanoseconds) override {}

  void set_listener(std::function<void()> wake) override {
    state_->set_listener(this, std::move(wake));
  }

 private:
  std::shared_ptr<StreamState> state_;
  std::unique_ptr<Cursor[]> cursors_;
};

}  // namespace
}  // namespace detail

Stream::Stream(std::shared_ptr<detail::StreamState> state) noexcept : state_(std::move(state)) {}

Stream::~Stream() = default;

Expected<std::shared_ptr<Stream>> Stream::create(StreamConfig config) {
  using detail::invalid;
  if (!detail::valid_name(config.name)) {
    return invalid("stream name must be 1-128 characters of [A-Za-z0-9_.-]");
  }
  if (config.shards == 0 || config.shards > detail::max_shards) {
    return invalid("shards must be between 1 and 1024");
  }
  if (config.retention.count() <= 0) return invalid("retention must be positive");
  if (config.max_records_per_shard == 0) return invalid("max_records_per_shard must be positive");
  if (config.clock == nullptr) return invalid("clock must not be null");
  return std::shared_ptr<Stream>(
      new Stream(std::make_shared<detail::StreamState>(std::move(config))));
}

Expected<PutRecordResult> Stream::put_record(std::string_view partition_key, Payload data) {
  if (partition_key.empty() || partition_key.size() > stream_max_partition_key) {
    return detail::invalid("partition key must be 1-256 bytes");
  }
  if (data.size() > stream_max_record_size) {
    return Unexpected(Error{Errc::request_too_large, "record larger than 1 MiB"});
  }
  detail::StreamState& st = *state_;
  const std::uint32_t s = shard_for(partition_key);
  detail::Shard& shard = st.shards[s];
  std::shared_ptr<const detail::Listeners> to_wake;
  std::uint64_t seq = 0;
  {
    std::lock_guard guard(shard.lock);
    // Read under the lock, so arrival times never decrease within a shard.
    const Clock::time_point now = st.config.clock->now();
    shard.trim(now, st.config.retention);
    if (shard.next - shard.first >= st.config.max_records_per_shard) {
      return Unexpected(
          Error{Errc::resource_exhausted, "shard of stream " + st.config.name + " is full"});
    }
    seq = shard.next;
    shard.append(std::move(data), now).key.assign(partition_key);
    to_wake = shard.listeners;
  }
  detail::wake(to_wake);
  return PutRecordResult{s, seq};
}

Expected<PutRecordResult> Stream::put_record(std::string_view partition_key, PayloadView data) {
  if (data.size() > stream_max_record_size) {
    return Unexpected(Error{Errc::request_too_large, "record larger than 1 MiB"});
  }
  return put_record(partition_key, Payload::copy_of(data.view()));
}

std::uint32_t Stream::shard_for(std::string_view partition_key) const noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : partition_key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::uint32_t>(h % state_->config.shards);
}

std::uint32_t Stream::shard_count() const noexcept {
  return state_->config.shards;
}

std::uint64_t Stream::records_expired() const noexcept {
  return state_->expired.load(std::memory_order_relaxed);
}

std::size_t Stream::approximate_retained(std::uint32_t shard) const {
  if (shard >= state_->config.shards) return 0;
  detail::Shard& s = state_->shards[shard];
  std::lock_guard guard(s.lock);
  return static_cast<std::size_t>(s.next - s.first);
}

SourceKind Stream::kind() const noexcept {
  return SourceKind::stream;
}

std::string_view Stream::name() const noexcept {
  return state_->config.name;
}

Expected<std::unique_ptr<SourceReader>> Stream::open(ReaderOptions options) {
  return std::unique_ptr<SourceReader>(std::make_unique<detail::StreamReader>(state_, options));
}

}  // namespace nanofaas
