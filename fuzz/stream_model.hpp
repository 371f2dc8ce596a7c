#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "nanofaas/stream.hpp"

namespace nanofaas::fuzz {

/// What a stream should hold and what each reader should read, by the documented rules: the
/// reference `fuzz_stream` checks a `Stream` against. Trimming is lazy and optional ("may be
/// trimmed"), so the model learns each shard's oldest record from `approximate_retained` and
/// checks that only records past retention and not protected by a reader went.
class StreamModel {
 public:
  struct Entry {
    std::string key;
    std::string data;
    Clock::time_point arrival{};
  };

  /// One reader's position in one shard.
  struct Cursor {
    std::uint64_t next = 1;
    std::uint64_t checkpoint = 0;
    std::uint64_t polled = 0;
  };

  /// A polled record not handed back yet, and the reader that holds it.
  struct Held {
    Record record;
    std::size_t reader = 0;
  };

  StreamModel(std::uint32_t shards, std::chrono::nanoseconds retention, std::size_t readers)
      : retention_(retention), shards_(shards), cursors_(readers) {}

  [[nodiscard]] std::vector<Held>& held() noexcept { return held_; }
  [[nodiscard]] std::uint64_t next(std::uint32_t shard) const {
    return shards_[shard].entries.size() + 1;
  }
  [[nodiscard]] std::uint64_t expired() const noexcept { return expired_; }
  [[nodiscard]] const Entry& entry(std::uint32_t shard, std::uint64_t seq) const {
    return shards_[shard].entries[seq - 1];
  }

  /// A record the stream accepted into `shard` as `seq`.
  void put(std::uint32_t shard, std::uint64_t seq, std::string key, std::string data,
           Clock::time_point now) {
    NANOFAAS_FUZZ_CHECK(seq == next(shard), "sequence numbers count up from 1 per shard");
    shards_[shard].entries.push_back(Entry{std::move(key), std::move(data), now});
  }

  /// Before an operation: the lowest record of each shard a reader protects from trimming.
  [[nodiscard]] std::vector<std::uint64_t> protected_floors() const {
    std::vector<std::uint64_t> floors(shards_.size(), std::numeric_limits<std::uint64_t>::max());
    for (const auto& reader : cursors_) {
      for (std::size_t s = 0; s < reader.size(); ++s) {
        const Cursor& c = reader[s];
        if (c.polled > c.checkpoint) floors[s] = std::min(floors[s], c.checkpoint + 1);
      }
    }
    return floors;
  }

  /// After an operation: `shard` retains `retained` records. Checks what trimming dropped
  /// since: only records past retention that no reader protected (`floor`, from before).
  void retained(std::uint32_t shard, std::size_t retained, std::uint64_t floor,
                Clock::time_point now) {
    NANOFAAS_FUZZ_CHECK(retained <= next(shard) - shards_[shard].first,
                        "trimming never brings records back");
    trimmed(shard, next(shard) - retained, floor, now);
  }

  /// A reader opened in slot `r` at `position`.
  void opened(std::size_t r, StartingPosition position, Clock::time_point timestamp) {
    std::erase_if(held_, [r](const Held& h) { return h.reader == r; });
    cursors_[r].assign(shards_.size(), Cursor{});
    for (std::uint32_t s = 0; s < shards_.size(); ++s) {
      Cursor& c = cursors_[r][s];
      switch (position) {
        case StartingPosition::trim_horizon: c.next = shards_[s].first; break;
        case StartingPosition::latest: c.next = next(s); break;
        case StartingPosition::at_timestamp:
          c.next = shards_[s].first;
          while (c.next < next(s) && entry(s, c.next).arrival < timestamp) ++c.next;
          break;
      }
      c.checkpoint = c.polled = c.next - 1;
    }
  }

  /// What a poll of up to `max` records of `shard` by reader `r` should return, once the
  /// shard's oldest record after the poll's trimming is known: the first sequence number.
  [[nodiscard]] std::uint64_t poll_start(std::size_t r, std::uint32_t shard) const {
    return std::max(cursors_[r][shard].next, shards_[shard].first);
  }

  /// Checks a poll's records and applies them. A poll with something to read trims the shard
  /// first (call `retained` before) and skips and counts what went. With no stream left to ask
  /// (`retained` not called), what the poll trimmed shows in where its records start.
  void polled(std::size_t r, std::uint32_t shard, std::size_t max,
              const std::vector<Record>& records, bool retained_known, std::uint64_t floor,
              Clock::time_point now) {
    Cursor& c = cursors_[r][shard];
    std::uint64_t start = c.next;
    if (c.next < next(shard) && max > 0) {
      const std::uint64_t seen = records.empty() ? next(shard) : records.front().sequence_number;
      if (!retained_known && seen > c.next) trimmed(shard, seen, floor, now);
      start = poll_start(r, shard);
      expired_ += start - c.next;
    }
    const std::uint64_t expected = max == 0 ? 0 : std::min<std::uint64_t>(max, next(shard) - start);
    NANOFAAS_FUZZ_CHECK(records.size() == expected, "a poll reads up to max available records");
    for (std::size_t k = 0; k < records.size(); ++k) {
      const Record& rec = records[k];
      NANOFAAS_FUZZ_CHECK(rec.sequence_number == start + k, "a shard is read in order, no gaps");
      NANOFAAS_FUZZ_CHECK(rec.lane == shard, "a record names its shard as its lane");
      check_views(Held{rec, r});
      held_.push_back(Held{rec, r});
    }
    c.next = start + records.size();
    if (!records.empty()) c.polled = std::max(c.polled, c.next - 1);
  }

  /// `nack`: each lane's position moves back to its lowest record.
  void nack(std::size_t r, std::span<const Record> records) {
    for (const Record& rec : records) {
      Cursor& c = cursors_[r][rec.lane];
      c.next = std::min(c.next, std::max(rec.sequence_number, shards_[rec.lane].first));
    }
  }

  /// `checkpoint`: processed up to `seq` (at most the newest); the position moves past it.
  /// Hands back the reader's held records of the lane up to `seq`.
  void checkpoint(std::size_t r, std::uint32_t lane, std::uint64_t seq) {
    if (lane >= shards_.size()) return;
    Cursor& c = cursors_[r][lane];
    c.checkpoint = std::max(c.checkpoint, std::min(seq, next(lane) - 1));
    c.next = std::max(c.next, c.checkpoint + 1);
    std::erase_if(held_, [&](const Held& h) {
      return h.reader == r && h.record.lane == lane && h.record.sequence_number <= seq;
    });
  }

  /// Checks that a held record still shows its entry: it must stay readable until handed back.
  void check_views(const Held& h) const {
    const Record& rec = h.record;
    NANOFAAS_FUZZ_CHECK(rec.sequence_number >= shards_[rec.lane].first,
                        "a held record is not trimmed");
    const Entry& e = entry(rec.lane, rec.sequence_number);
    NANOFAAS_FUZZ_CHECK(rec.body.view() == e.data, "a record carries its data");
    NANOFAAS_FUZZ_CHECK(rec.body.padded(), "a record's data is padded");
    NANOFAAS_FUZZ_CHECK(rec.partition_key == e.key, "a record carries its partition key");
    NANOFAAS_FUZZ_CHECK(rec.arrival_time == e.arrival, "a record carries its arrival time");
    NANOFAAS_FUZZ_CHECK(rec.id == std::to_string(rec.sequence_number),
                        "a record's id is its sequence number");
  }

 private:
  struct Shard {
    std::vector<Entry> entries;  // every record ever put, by sequence number - 1
    std::uint64_t first = 1;     // the oldest retained
  };

  // Trimming moved `shard`'s oldest record to `first`: checks the records that went.
  void trimmed(std::uint32_t shard, std::uint64_t first, std::uint64_t floor,
               Clock::time_point now) {
    Shard& s = shards_[shard];
    NANOFAAS_FUZZ_CHECK(first >= s.first, "trimming never brings records back");
    NANOFAAS_FUZZ_CHECK(first <= std::max(floor, s.first),
                        "records a reader polled and did not checkpoint are kept");
    for (std::uint64_t seq = s.first; seq < first; ++seq) {
      NANOFAAS_FUZZ_CHECK(entry(shard, seq).arrival <= now - retention_,
                          "only records past retention are trimmed");
    }
    s.first = first;
  }

  const std::chrono::nanoseconds retention_;
  std::vector<Shard> shards_;
  std::vector<std::vector<Cursor>> cursors_;  // per reader slot, per shard
  std::vector<Held> held_;
  std::uint64_t expired_ = 0;
};

}  // namespace nanofaas::fuzz
