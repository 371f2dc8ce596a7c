// Fuzzes Queue, standard or FIFO, with a redrive policy to a dead-letter queue, by random
// sequences of sends, batches, polls by two readers, acks, nacks, releases, visibility
// extensions and clock moves (also backwards). After every operation the queue is checked
// against QueueModel: what each poll returns (count, order per FIFO group, bodies, receive
// counts), which messages move to the dead-letter queue (drained after every poll), and the
// counts: messages sent = deleted + visible + in flight + delayed + dead-lettered. At the end
// the queue handle is dropped and its readers take every message left.

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
#include "nanofaas/queue.hpp"
#include "queue_model.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::Errc;
using nanofaas::Payload;
using nanofaas::PayloadView;
using nanofaas::Queue;
using nanofaas::QueueConfig;
using nanofaas::Record;
using nanofaas::SourceReader;
using nanofaas::fuzz::QueueModel;
using Held = QueueModel::Held;
using State = QueueModel::State;

constexpr std::size_t max_operations = 300;
constexpr std::size_t unbounded = 100'000;  // a bound the fuzzer does not reach

std::unique_ptr<SourceReader> open(Queue& queue) {
  auto reader = queue.open({});
  NANOFAAS_FUZZ_CHECK(reader.has_value(), "a queue always opens a reader");
  return std::move(reader).value();
}

std::vector<Record> records_of(const std::vector<Held>& held) {
  std::vector<Record> records;
  for (const Held& h : held) records.push_back(h.record);
  return records;
}

class QueueFuzz {
 public:
  explicit QueueFuzz(FuzzedDataProvider& in) : in_(in), model_(configure()) {
    queue_ = std::move(Queue::create(config_)).value();
    for (std::size_t r = 0; r < readers_.size(); ++r) reopen(r);
  }

  void run() {
    for (std::size_t n = 0; n < max_operations && in_.remaining_bytes() > 0; ++n) {
      switch (in_.ConsumeIntegralInRange(0, 8)) {
        case 0: send(); break;
        case 1: send_batch(); break;
        case 2: poll(reader(), in_.ConsumeIntegralInRange<std::size_t>(0, 12)); break;
        case 3: ack(); break;
        case 4: nack(); break;
        case 5: release(); break;
        case 6: extend(); break;
        case 7: clock_.advance(step()); break;
        case 8: reopen(in_.ConsumeIntegralInRange<std::size_t>(0, readers_.size() - 1)); break;
      }
      check_counts();
    }
    take_everything_left();
  }

 private:
  // The queue's and its dead-letter queue's configuration, from the input.
  std::pair<QueueConfig, std::size_t> configure() {
    constexpr std::array visibility{0s, 1s, 10s, 30s};
    config_.fifo = in_.ConsumeBool();
    config_.name = config_.fifo ? "q.fifo" : "q";
    config_.visibility_timeout = visibility[in_.ConsumeIntegralInRange<std::size_t>(0, 3)];
    config_.max_messages =
        in_.ConsumeBool() ? in_.ConsumeIntegralInRange<std::size_t>(1, 16) : unbounded;
    config_.max_receive_count = in_.ConsumeIntegralInRange(0, 3);
    config_.clock = &clock_;
    dead_letter_max_ =
        in_.ConsumeBool() ? in_.ConsumeIntegralInRange<std::size_t>(1, 3) : unbounded;
    if (config_.max_receive_count > 0) {
      dead_letters_ = std::move(Queue::create({.name = config_.fifo ? "dlq.fifo" : "dlq",
                                               .fifo = config_.fifo,
                                               .max_messages = dead_letter_max_,
                                               .clock = &clock_}))
                          .value();
      dead_letter_reader_ = open(*dead_letters_);
      config_.dead_letter_queue = dead_letters_;
    }
    return {config_, dead_letter_max_};
  }

  std::size_t reader() { return in_.ConsumeIntegralInRange<std::size_t>(0, readers_.size() - 1); }

  void reopen(std::size_t r) {
    readers_[r] = open(*queue_);
    listening_[r] = in_.ConsumeBool();
    if (listening_[r]) readers_[r]->set_listener([this, r] { ++wakes_[r]; });
  }

  // A group id: one of three, or one a FIFO queue refuses.
  std::string group() {
    switch (in_.ConsumeIntegralInRange(0, 4)) {
      case 3: return "";
      case 4: return std::string(129, 'g');
      default: return "g" + std::to_string(in_.ConsumeIntegralInRange(0, 2));
    }
  }
  bool group_ok(const std::string& g) const {
    return !config_.fifo || (!g.empty() && g.size() <= 128);
  }

  // A duration for delays and timeouts: mostly none or short, sometimes out of range.
  std::chrono::nanoseconds duration(std::chrono::nanoseconds most) {
    switch (in_.ConsumeIntegralInRange(0, 5)) {
      case 3: return std::chrono::milliseconds(in_.ConsumeIntegralInRange<std::int64_t>(1, 20'000));
      case 4: return most + std::chrono::nanoseconds(in_.ConsumeIntegralInRange(0, 1));
      case 5: return -1ns;
      default: return 0ns;
    }
  }

  std::chrono::nanoseconds step() {
    switch (in_.ConsumeIntegralInRange(0, 3)) {
      case 0: return std::chrono::milliseconds(in_.ConsumeIntegralInRange<std::int64_t>(0, 2000));
      case 1: return std::chrono::seconds(in_.ConsumeIntegralInRange<std::int64_t>(0, 70));
      case 2: return 16min;
      default: return -std::chrono::milliseconds(in_.ConsumeIntegralInRange<std::int64_t>(0, 3000));
    }
  }

  void send() {
    std::string body = in_.ConsumeRandomLengthString(24);
    std::string g = group();
    std::vector<nanofaas::RecordAttribute> attributes(in_.ConsumeIntegralInRange(0, 2));
    for (auto& a : attributes) {
      a.name = in_.ConsumeRandomLengthString(6);
      a.value = in_.ConsumeRandomLengthString(6);
    }
    const std::chrono::nanoseconds delay = duration(nanofaas::queue_max_delay);
    nanofaas::SendOptions options{.message_group_id = g, .attributes = attributes, .delay = delay};
    const std::array wakes_before = wakes_;
    auto sent = in_.ConsumeBool() ? queue_->send(PayloadView(body), std::move(options))
                                  : queue_->send(Payload::copy_of(body), std::move(options));
    Errc refusal{};
    if (!group_ok(g) || delay < 0ns || delay > nanofaas::queue_max_delay) {
      refusal = Errc::invalid_argument;
    } else if (!model_.has_room()) {
      refusal = Errc::resource_exhausted;
    }
    if (refusal != Errc{}) {
      NANOFAAS_FUZZ_CHECK(!sent && sent.error().code == refusal && !sent.error().message.empty(),
                          "a send is refused for its first problem, with a message");
      return;
    }
    NANOFAAS_FUZZ_CHECK(sent.has_value(), "a valid send with room is accepted");
    model_.sent(std::move(body), std::move(attributes), config_.fifo ? g : "", clock_.now(), delay,
                *sent);
    for (std::size_t r = 0; r < readers_.size(); ++r) {
      NANOFAAS_FUZZ_CHECK(
          !listening_[r] || config_.fifo || delay > 0ns || wakes_[r] > wakes_before[r],
          "a visible message wakes the listeners");
    }
  }

  void send_batch() {
    // Now and then past 1024 messages, the size of one chunk of slots.
    const std::size_t count =
        config_.max_messages == unbounded && in_.ConsumeIntegralInRange(0, 15) == 15
            ? 1100
            : in_.ConsumeIntegralInRange<std::size_t>(0, 6);
    const std::string g = group();
    std::vector<std::string> bodies;
    std::vector<Payload> payloads;
    for (std::size_t k = 0; k < count; ++k) {
      bodies.push_back(std::to_string(k) + in_.ConsumeRandomLengthString(8));
      payloads.push_back(Payload::copy_of(bodies.back()));
    }
    const std::size_t sent = queue_->send_batch(payloads, g);
    std::size_t expected = 0;
    while (group_ok(g) && expected < count && model_.has_room()) {
      model_.sent(bodies[expected], {}, config_.fifo ? g : "", clock_.now(), 0ns, "");
      ++expected;
    }
    NANOFAAS_FUZZ_CHECK(sent == expected, "a batch is sent up to the bound");
    for (std::size_t k = 0; k < count; ++k) {
      NANOFAAS_FUZZ_CHECK(payloads[k].empty() == (k < sent),
                          "a batch moves out exactly the bodies it sent");
    }
  }

  void poll(std::size_t r, std::size_t max) {
    const std::uint32_t lane = in_.ConsumeIntegralInRange(0, 7) == 7 ? 1 : 0;
    model_.expire(clock_.now());
    const QueueModel::PollForecast forecast = model_.forecast(lane == 0 ? max : 0);
    std::vector<Record> out;
    const std::size_t n = readers_[r]->poll(lane, max, out);
    NANOFAAS_FUZZ_CHECK(n == out.size(), "poll returns how many records it appended");
    NANOFAAS_FUZZ_CHECK(n == forecast.records, "poll takes every receivable message up to max");
    model_.polled(out, clock_.now());
    const std::size_t moved = drain_dead_letters();
    const std::size_t room = model_.dead_letter_room();
    NANOFAAS_FUZZ_CHECK(moved <= std::min(forecast.redrive_due, room),
                        "only messages past maxReceiveCount move, as many as fit");
    const bool ran_dry = lane == 0 && max > 0 && n < max;
    if (ran_dry) {
      NANOFAAS_FUZZ_CHECK(moved == std::min(forecast.redrives_met, room),
                          "a poll that runs out of messages moves every one it met");
    }
    if (lane == 0 && max > 0) model_.unmoved(forecast, ran_dry);
  }

  // Takes every message the dead-letter queue holds, checking each against the model.
  std::size_t drain_dead_letters() {
    if (!dead_letters_) return 0;
    std::size_t moved = 0;
    for (;;) {
      std::vector<Record> out;
      if (dead_letter_reader_->poll(0, 1000, out) == 0) return moved;
      for (const Record& r : out) model_.dead_lettered(r);
      moved += out.size();
      dead_letter_reader_->ack(out);
    }
  }

  // Up to 12 held records, taken out of the model's list unless `keep`; uncertain ones only
  // when `uncertain_too`.
  std::vector<Held> pick_held(bool keep, bool uncertain_too = false) {
    std::vector<Held>& held = model_.held();
    std::vector<std::size_t> choices;
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (uncertain_too || !held[i].uncertain) choices.push_back(i);
    }
    const std::size_t count =
        in_.ConsumeIntegralInRange<std::size_t>(0, std::min<std::size_t>(choices.size(), 12));
    std::vector<std::size_t> chosen;
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t c = in_.ConsumeIntegralInRange<std::size_t>(0, choices.size() - 1);
      chosen.push_back(choices[c]);
      if (!keep) choices.erase(choices.begin() + static_cast<std::ptrdiff_t>(c));
    }
    std::vector<Held> picked;
    for (const std::size_t i : chosen) picked.push_back(held[i]);
    if (!keep) {
      std::sort(chosen.begin(), chosen.end(), std::greater<>());
      for (const std::size_t i : chosen) held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return picked;
  }

  void ack() {
    const std::vector<Held> picked = pick_held(false);
    readers_[reader()]->ack(records_of(picked));
    model_.ack(picked);
  }

  void nack() {
    const std::vector<Held> picked = pick_held(false);
    const std::chrono::nanoseconds delay = duration(nanofaas::queue_max_visibility_timeout);
    readers_[reader()]->nack(records_of(picked), delay);
    model_.nack(picked, delay, clock_.now());
  }

  void release() {
    const std::vector<Held> picked = pick_held(false, true);
    readers_[reader()]->release(records_of(picked));
    model_.release(picked);
  }

  void extend() {
    const std::vector<Held> picked = pick_held(true);
    const std::chrono::nanoseconds timeout = duration(nanofaas::queue_max_visibility_timeout);
    readers_[reader()]->extend_visibility(records_of(picked), timeout);
    model_.extend(picked, timeout, clock_.now());
  }

  // The queue's counts apply the deadlines that passed, as the model's `expire` does.
  void check_counts() {
    model_.expire(clock_.now());
    NANOFAAS_FUZZ_CHECK(queue_->approximate_in_flight() == model_.count(State::in_flight),
                        "in-flight messages are counted");
    NANOFAAS_FUZZ_CHECK(queue_->approximate_delayed() == model_.count(State::delayed),
                        "delayed messages are counted");
    NANOFAAS_FUZZ_CHECK(queue_->approximate_visible() == model_.count(State::visible),
                        "visible messages are counted (so none is lost or duplicated)");
    for (const Held& h : model_.held()) model_.check_views(h);
  }

  // Drops the queue handle; its readers still take every message, acking each.
  void take_everything_left() {
    queue_.reset();
    for (std::size_t round = 0; round <= model_.messages() + 1 && model_.any_live(); ++round) {
      std::vector<Held> held = std::exchange(model_.held(), {});
      const auto uncertain =
          std::partition(held.begin(), held.end(), [](const Held& h) { return !h.uncertain; });
      const std::vector<Held> acked(held.begin(), uncertain);
      const std::vector<Held> released(uncertain, held.end());
      readers_[0]->ack(records_of(acked));
      model_.ack(acked);
      readers_[0]->release(records_of(released));
      model_.release(released);
      clock_.advance(13h);  // past every delay and visibility timeout
      poll(0, 100);
    }
    NANOFAAS_FUZZ_CHECK(!model_.any_live(), "the readers of a dropped queue take every message");
  }

  FuzzedDataProvider& in_;
  nanofaas::fuzz::ManualClock clock_;
  QueueConfig config_;
  std::size_t dead_letter_max_ = unbounded;
  std::shared_ptr<Queue> dead_letters_;
  std::unique_ptr<SourceReader> dead_letter_reader_;
  QueueModel model_;
  std::shared_ptr<Queue> queue_;
  std::array<std::unique_ptr<SourceReader>, 2> readers_;
  std::array<bool, 2> listening_{};
  std::array<std::size_t, 2> wakes_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  QueueFuzz(in).run();
  return 0;
}
