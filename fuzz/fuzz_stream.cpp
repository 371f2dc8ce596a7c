// Fuzzes Stream with random operation sequences: puts (single and in bulk, past a chunk of
// 256 records), polls of any lane by three readers opened at any starting position, acks,
// nacks, releases, checkpoints and clock moves past retention. After every operation the
// stream is checked against StreamModel: each shard is read in order with no gaps, records
// carry what was put, trimming drops only records past retention that no reader protects,
// skipped records are counted as expired, and held records stay readable. At the end the
// stream handle is dropped and the readers read on.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "manual_clock.hpp"
#include "nanofaas/stream.hpp"
#include "stream_model.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::Errc;
using nanofaas::Payload;
using nanofaas::PayloadView;
using nanofaas::Record;
using nanofaas::SourceReader;
using nanofaas::StartingPosition;
using nanofaas::Stream;
using nanofaas::StreamConfig;
using nanofaas::fuzz::StreamModel;
using Held = StreamModel::Held;

constexpr std::size_t max_operations = 300;
constexpr std::size_t readers = 3;
constexpr std::size_t unbounded = 100'000;

// FNV-1a 64, written out again: the shard a key must go to, in every process.
std::uint64_t fnv1a(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : key) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

class StreamFuzz {
 public:
  explicit StreamFuzz(FuzzedDataProvider& in)
      : in_(in), config_(configure()), model_(config_.shards, config_.retention, readers) {
    stream_ = std::move(Stream::create(config_)).value();
    for (std::size_t r = 0; r < readers; ++r) open(r);
  }

  void run() {
    for (std::size_t n = 0; n < max_operations && in_.remaining_bytes() > 0; ++n) {
      const std::vector<std::uint64_t> floors = model_.protected_floors();
      switch (in_.ConsumeIntegralInRange(0, 8)) {
        case 0: put(key()); break;
        case 1: put_many(); break;
        case 2:
          poll(reader(), lane(), in_.ConsumeIntegralInRange<std::size_t>(0, 12), floors);
          break;
        case 3: settle(&SourceReader::ack); break;
        case 4: nack(); break;
        case 5: settle(&SourceReader::release); break;
        case 6: checkpoint(); break;
        case 7: clock_.advance(step()); break;
        case 8: open(reader()); break;
      }
      check(floors);
    }
    read_on_after_the_stream();
  }

 private:
  StreamConfig configure() {
    constexpr std::array<std::chrono::nanoseconds, 4> retention{1s, 10s, 60s, 24h};
    return StreamConfig{
        .name = "s",
        .shards = in_.ConsumeIntegralInRange<std::uint32_t>(1, 4),
        .retention = retention[in_.ConsumeIntegralInRange<std::size_t>(0, 3)],
        .max_records_per_shard =
            in_.ConsumeBool() ? in_.ConsumeIntegralInRange<std::size_t>(1, 8) : unbounded,
        .clock = &clock_,
    };
  }

  std::size_t reader() { return in_.ConsumeIntegralInRange<std::size_t>(0, readers - 1); }
  // Mostly a shard, now and then one past the last.
  std::uint32_t lane() { return in_.ConsumeIntegralInRange<std::uint32_t>(0, config_.shards); }

  // A partition key: one of six, or one the stream refuses.
  std::string key() {
    switch (in_.ConsumeIntegralInRange(0, 7)) {
      case 6: return "";
      case 7: return std::string(nanofaas::stream_max_partition_key + 1, 'k');
      default: return "k" + std::to_string(in_.ConsumeIntegralInRange(0, 5));
    }
  }

  std::chrono::nanoseconds step() {
    switch (in_.ConsumeIntegralInRange(0, 2)) {
      case 0: return std::chrono::milliseconds(in_.ConsumeIntegralInRange<std::int64_t>(0, 2000));
      case 1: return std::chrono::seconds(in_.ConsumeIntegralInRange<std::int64_t>(0, 70));
      default: return 25h;
    }
  }

  void open(std::size_t r) {
    const auto position = static_cast<StartingPosition>(in_.ConsumeIntegralInRange(0, 2));
    // A timestamp around the records' arrivals.
    const nanofaas::Clock::time_point timestamp =
        clock_.now() - std::chrono::seconds(in_.ConsumeIntegralInRange<std::int64_t>(-1, 80));
    auto opened = stream_->open({.starting_position = position, .timestamp = timestamp});
    NANOFAAS_FUZZ_CHECK(opened.has_value(), "a stream always opens a reader");
    readers_[r] = std::move(opened).value();
    NANOFAAS_FUZZ_CHECK(readers_[r]->lanes() == config_.shards, "a reader has a lane per shard");
    model_.opened(r, position, timestamp);
    listening_[r] = in_.ConsumeBool();
    if (listening_[r]) readers_[r]->set_listener([this, r] { ++wakes_[r]; });
  }

  void put(const std::string& key) {
    const std::string data = in_.ConsumeRandomLengthString(24);
    const std::array wakes_before = wakes_;
    auto stored = in_.ConsumeBool() ? stream_->put_record(key, PayloadView(data))
                                    : stream_->put_record(key, Payload::copy_of(data));
    if (key.empty() || key.size() > nanofaas::stream_max_partition_key) {
      NANOFAAS_FUZZ_CHECK(!stored && stored.error().code == Errc::invalid_argument,
                          "a bad partition key is refused");
      return;
    }
    const auto shard = static_cast<std::uint32_t>(fnv1a(key) % config_.shards);
    NANOFAAS_FUZZ_CHECK(stream_->shard_for(key) == shard, "a key's shard is FNV-1a modulo shards");
    if (!stored) {
      NANOFAAS_FUZZ_CHECK(stored.error().code == Errc::resource_exhausted &&
                              stream_->approximate_retained(shard) >= config_.max_records_per_shard,
                          "a put is refused only when the shard is full");
      return;
    }
    NANOFAAS_FUZZ_CHECK(stored->shard == shard, "a record goes to its key's shard");
    model_.put(shard, stored->sequence_number, key, data, clock_.now());
    for (std::size_t r = 0; r < readers; ++r) {
      NANOFAAS_FUZZ_CHECK(!listening_[r] || wakes_[r] > wakes_before[r], "a put wakes listeners");
    }
  }

  void put_many() {
    const std::size_t count = in_.ConsumeIntegralInRange(0, 7) == 7 ? 300 : 4;
    const std::string k = key();
    for (std::size_t i = 0; i < count; ++i) put(k);
  }

  void poll(std::size_t r, std::uint32_t lane, std::size_t max,
            const std::vector<std::uint64_t>& floors) {
    std::vector<Record> out;
    const std::size_t n = readers_[r]->poll(lane, max, out);
    NANOFAAS_FUZZ_CHECK(n == out.size(), "poll returns how many records it appended");
    if (lane >= config_.shards) {
      NANOFAAS_FUZZ_CHECK(n == 0, "a lane past the shards has no records");
      return;
    }
    if (stream_) {  // the poll's trimming first, which decides where it starts
      model_.retained(lane, stream_->approximate_retained(lane), floors[lane], clock_.now());
    }
    model_.polled(r, lane, max, out, stream_ != nullptr, floors[lane], clock_.now());
  }

  // Up to 12 held records, handed back to the model's list.
  std::vector<Held> pick_held() {
    std::vector<Held>& held = model_.held();
    std::vector<Held> picked;
    const std::size_t count =
        in_.ConsumeIntegralInRange<std::size_t>(0, std::min<std::size_t>(held.size(), 12));
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = in_.ConsumeIntegralInRange<std::size_t>(0, held.size() - 1);
      picked.push_back(held[i]);
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return picked;
  }

  // The records of `picked` that reader `r` holds, handed back by it.
  static std::vector<Record> records_of(const std::vector<Held>& picked, std::size_t r) {
    std::vector<Record> records;
    for (const Held& h : picked) {
      if (h.reader == r) records.push_back(h.record);
    }
    return records;
  }

  void settle(void (SourceReader::*hand_back)(std::span<const Record>)) {
    const std::vector<Held> picked = pick_held();
    for (std::size_t r = 0; r < readers; ++r) ((*readers_[r]).*hand_back)(records_of(picked, r));
  }

  void nack() {
    const std::vector<Held> picked = pick_held();
    for (std::size_t r = 0; r < readers; ++r) {
      const std::vector<Record> records = records_of(picked, r);
      readers_[r]->nack(records, 0ns);
      model_.nack(r, records);
    }
  }

  // At a held record, or anywhere up to past the newest.
  void checkpoint() {
    const std::size_t r = reader();
    std::uint32_t at_lane = lane();
    std::uint64_t seq = in_.ConsumeIntegralInRange<std::uint64_t>(0, 600);
    const std::vector<Held>& held = model_.held();
    if (!held.empty() && in_.ConsumeBool()) {
      const Held& h = held[in_.ConsumeIntegralInRange<std::size_t>(0, held.size() - 1)];
      at_lane = h.record.lane;
      seq = h.record.sequence_number;
    }
    readers_[r]->checkpoint(at_lane, seq);
    model_.checkpoint(r, at_lane, seq);
  }

  void check(const std::vector<std::uint64_t>& floors) {
    for (std::uint32_t s = 0; s < config_.shards; ++s) {
      model_.retained(s, stream_->approximate_retained(s), floors[s], clock_.now());
    }
    NANOFAAS_FUZZ_CHECK(stream_->approximate_retained(config_.shards) == 0,
                        "a shard past the last retains nothing");
    NANOFAAS_FUZZ_CHECK(stream_->records_expired() == model_.expired(),
                        "records trimmed before a reader read them are counted");
    for (const Held& h : model_.held()) model_.check_views(h);
  }

  // Drops the stream handle; each reader still reads every lane to its end.
  void read_on_after_the_stream() {
    stream_.reset();
    for (std::size_t r = 0; r < readers; ++r) {
      for (std::uint32_t s = 0; s < config_.shards; ++s) {
        const std::uint64_t rounds = model_.next(s) / 1000 + 2;
        for (std::uint64_t k = 0; k < rounds && model_.poll_start(r, s) < model_.next(s); ++k) {
          poll(r, s, 1000, model_.protected_floors());
        }
        NANOFAAS_FUZZ_CHECK(model_.poll_start(r, s) >= model_.next(s), "a reader reads to the end");
      }
    }
    for (const Held& h : model_.held()) model_.check_views(h);
  }

  FuzzedDataProvider& in_;
  nanofaas::fuzz::ManualClock clock_;
  StreamConfig config_;
  StreamModel model_;
  std::shared_ptr<Stream> stream_;
  std::array<std::unique_ptr<SourceReader>, readers> readers_;
  std::array<bool, readers> listening_{};
  std::array<std::size_t, readers> wakes_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  StreamFuzz(in).run();
  return 0;
}
