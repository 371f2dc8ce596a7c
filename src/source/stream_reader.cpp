#include "source/stream_reader.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "source/stream_state.hpp"

namespace nanofaas::detail {

StreamReader::StreamReader(std::shared_ptr<StreamState> state, const ReaderOptions& options)
    : state_(std::move(state)), cursors_(std::make_unique<StreamCursor[]>(state_->shard_count())) {
  for (std::uint32_t s = 0; s < state_->shard_count(); ++s) {
    StreamShard& shard = state_->shard(s);
    StreamCursor& c = cursors_[s];
    std::lock_guard guard(shard);
    switch (options.starting_position) {
      case StartingPosition::trim_horizon: c.next = shard.first(); break;
      case StartingPosition::latest: c.next = shard.next(); break;
      case StartingPosition::at_timestamp: c.next = shard.find(options.timestamp); break;
    }
    // Nothing before the start is this reader's to protect from trimming.
    c.checkpoint = c.polled = c.next - 1;
    shard.add_cursor(&c);
  }
}

StreamReader::~StreamReader() {
  state_->set_listener(this, {});
  for (std::uint32_t s = 0; s < state_->shard_count(); ++s) {
    StreamShard& shard = state_->shard(s);
    std::lock_guard guard(shard);
    shard.remove_cursor(&cursors_[s]);
  }
}

std::uint32_t StreamReader::lanes() const noexcept {
  return state_->shard_count();
}

std::size_t StreamReader::poll(std::uint32_t lane, std::size_t max, std::vector<Record>& out) {
  if (lane >= state_->shard_count() || max == 0) return 0;
  StreamShard& shard = state_->shard(lane);
  StreamCursor& c = cursors_[lane];
  std::lock_guard guard(shard);
  if (c.next >= shard.next()) return 0;  // nothing new: no need to read the clock
  shard.trim(state_->config().clock->now(), state_->config().retention);
  if (c.next < shard.first()) {
    // Trimmed before this reader got to them: counted, and reading goes on from there.
    state_->count_expired(shard.first() - c.next);
    c.next = shard.first();
  }
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(max, shard.next() - c.next));
  if (n == 0) return 0;
  for (std::uint64_t seq = c.next, end = c.next + n; seq < end; ++seq) {
    StreamEntry& e = shard.at(seq);
    out.push_back(Record{
        .id = std::string_view(e.id, e.id_size),
        .body = PayloadView(e.data),
        .attributes = {},
        .partition_key = e.key,
        .sequence_number = seq,
        .arrival_time = e.arrival,
        .receive_count = 0,
        .trace = e.trace,
        .lane = lane,
        .handle = seq,
    });
  }
  c.next += n;
  c.polled = std::max(c.polled, c.next - 1);
  return n;
}

void StreamReader::nack(std::span<const Record> records, std::chrono::nanoseconds) {
  // Usually one lane: rewind once per run of records of the same lane.
  for (std::size_t k = 0; k < records.size();) {
    const std::uint32_t lane = records[k].lane;
    std::uint64_t lowest = records[k].sequence_number;
    for (++k; k < records.size() && records[k].lane == lane; ++k) {
      lowest = std::min(lowest, records[k].sequence_number);
    }
    if (lane >= state_->shard_count()) continue;
    StreamShard& shard = state_->shard(lane);
    StreamCursor& c = cursors_[lane];
    std::lock_guard guard(shard);
    const std::uint64_t target = std::max(lowest, shard.first());
    if (target < c.next) c.next = target;
  }
}

void StreamReader::checkpoint(std::uint32_t lane, std::uint64_t sequence_number) {
  if (lane >= state_->shard_count()) return;
  StreamShard& shard = state_->shard(lane);
  StreamCursor& c = cursors_[lane];
  std::lock_guard guard(shard);
  // Past the newest record means up to the newest: later records are still protected.
  c.checkpoint = std::max(c.checkpoint, std::min(sequence_number, shard.next() - 1));
  // Processed records are not read again, even after a `nack` rewound past them.
  if (c.next <= c.checkpoint) c.next = c.checkpoint + 1;
}

void StreamReader::set_listener(std::function<void()> wake) {
  state_->set_listener(this, std::move(wake));
}

}  // namespace nanofaas::detail
