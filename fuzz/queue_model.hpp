#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "nanofaas/queue.hpp"

namespace nanofaas::fuzz {

/// What a queue should hold, by its documented rules: the reference `fuzz_queue` checks a
/// `Queue` (and its dead-letter queue) against after every operation. Messages are numbered
/// by their sequence number; a record is the latest receive of its message while the message's
/// generation (bumped by a receive, an effective nack, a delete and a redrive) is unchanged.
class QueueModel {
 public:
  enum class State : std::uint8_t { visible, in_flight, delayed, deleted, dead_lettered };

  struct Message {
    std::string body;
    std::vector<RecordAttribute> attributes;
    std::string group;  // FIFO only
    std::string id;     // empty until the send or the first receive tells it
    Clock::time_point arrival{};
    State state = State::visible;
    Clock::time_point due{};  // in flight: invisible until; delayed: visible from
    std::uint32_t receives = 0;
    std::uint32_t generation = 0;
    std::uint32_t holds = 0;  // receives not handed back, which keep the message's slot
  };

  /// A polled record not handed back yet. `uncertain`: the queue may or may not have changed
  /// the message since (a move to a full dead-letter queue was maybe tried), so only
  /// `release` has a known effect on it.
  struct Held {
    Record record;
    std::size_t message = 0;
    std::uint32_t generation = 0;
    bool uncertain = false;
  };

  /// What one poll is expected to do, computed before it.
  struct PollForecast {
    std::size_t records = 0;
    std::size_t redrive_due = 0;   // visible messages past maxReceiveCount
    std::size_t redrives_met = 0;  // those a poll that ran out of messages reaches
    std::vector<std::size_t> met;  // ... which are these
  };

  /// `dead_letter_room`: the dead-letter queue's bound (it is drained after every poll).
  explicit QueueModel(const std::pair<QueueConfig, std::size_t>& config_and_room)
      : QueueModel(config_and_room.first, config_and_room.second) {}
  QueueModel(const QueueConfig& config, std::size_t dead_letter_room)
      : fifo_(config.fifo),
        visibility_(config.visibility_timeout),
        max_receive_count_(config.max_receive_count),
        max_messages_(config.max_messages),
        dead_letter_room_(dead_letter_room) {}

  [[nodiscard]] bool fifo() const noexcept { return fifo_; }
  [[nodiscard]] std::vector<Held>& held() noexcept { return held_; }
  [[nodiscard]] const Message& message(std::size_t k) const { return messages_[k]; }
  [[nodiscard]] std::size_t messages() const noexcept { return messages_.size(); }

  /// Slots in use: live messages, and gone ones whose receives were not all handed back.
  [[nodiscard]] bool has_room() const {
    std::size_t used = 0;
    for (const Message& m : messages_) used += live(m) || m.holds != 0;
    return used < max_messages_;
  }
  /// True when some message is visible, in flight or delayed.
  [[nodiscard]] bool any_live() const {
    return std::any_of(messages_.begin(), messages_.end(), live);
  }

  /// A send the queue accepted.
  void sent(std::string body, std::vector<RecordAttribute> attributes, std::string group,
            Clock::time_point now, std::chrono::nanoseconds delay, std::string id) {
    Message& m = messages_.emplace_back();
    m.body = std::move(body);
    m.attributes = std::move(attributes);
    m.group = std::move(group);
    m.arrival = now;
    if (delay.count() > 0) {
      m.state = State::delayed;
      m.due = now + delay;
    }
    if (!id.empty()) learn_id(messages_.size() - 1, id);
  }

  /// Makes in-flight and delayed messages due at `now` visible, as the queue does lazily.
  void expire(Clock::time_point now) {
    for (Message& m : messages_) {
      if ((m.state == State::in_flight || m.state == State::delayed) && m.due <= now) {
        m.state = State::visible;
      }
    }
  }

  [[nodiscard]] std::size_t count(State state) const {
    return static_cast<std::size_t>(
        std::count_if(messages_.begin(), messages_.end(),
                      [state](const Message& m) { return m.state == state; }));
  }

  /// Before a poll of up to `max` (after `expire`).
  [[nodiscard]] PollForecast forecast(std::size_t max) const {
    PollForecast f;
    if (!fifo_) {
      std::size_t receivable = 0;
      for (std::size_t k = 0; k < messages_.size(); ++k) {
        const Message& m = messages_[k];
        if (m.state != State::visible) continue;
        if (!redrive_due(m)) {
          ++receivable;
          continue;
        }
        ++f.redrive_due;
        f.met.push_back(k);
      }
      f.records = std::min(max, receivable);
      f.redrives_met = f.redrive_due;
      return f;
    }
    std::size_t receivable = 0;
    for (const auto& [name, group] : scan_groups()) {
      f.redrive_due += group.redrive_due;
      if (!group.ready) continue;
      receivable += group.prefix.size();
      if (group.stops_at_redrive) f.met.push_back(group.stop);
    }
    f.redrives_met = f.met.size();
    f.records = std::min(max, receivable);
    return f;
  }

  /// Checks a poll's records against the state before it and applies them. FIFO: each group's
  /// records are the first messages of a ready group, in order.
  void polled(const std::vector<Record>& records, Clock::time_point now) {
    std::map<std::string, GroupScan> groups;
    if (fifo_) groups = scan_groups();
    std::map<std::string, std::size_t> taken;  // per group
    for (const Record& r : records) {
      NANOFAAS_FUZZ_CHECK(r.sequence_number >= 1 && r.sequence_number <= messages_.size(),
                          "a record's sequence number names a sent message");
      const std::size_t k = r.sequence_number - 1;
      Message& m = messages_[k];
      NANOFAAS_FUZZ_CHECK(m.state == State::visible, "only visible messages are received");
      NANOFAAS_FUZZ_CHECK(!redrive_due(m), "a message past maxReceiveCount is not received");
      check_contents(m, r);
      NANOFAAS_FUZZ_CHECK(r.receive_count == m.receives + 1, "receive counts count receives");
      NANOFAAS_FUZZ_CHECK(r.lane == 0, "a queue has one lane");
      learn_id(k, r.id);
      if (fifo_) {
        const GroupScan& group = groups[m.group];
        std::size_t& next = taken[m.group];
        NANOFAAS_FUZZ_CHECK(group.ready, "a FIFO group with a message in flight is held back");
        NANOFAAS_FUZZ_CHECK(next < group.prefix.size() && group.prefix[next] == k,
                            "a FIFO group's messages are received in order");
        ++next;
      }
      m.state = State::in_flight;
      m.due = now + visibility_;
      ++m.receives;
      ++m.generation;
      ++m.holds;
      held_.push_back(Held{r, k, m.generation});
    }
  }

  /// A record of the dead-letter queue: the main queue's message it carries moved there.
  void dead_lettered(const Record& r) {
    const auto it = ids_.find(std::string(r.id));
    NANOFAAS_FUZZ_CHECK(it != ids_.end(), "a dead letter keeps its message's id");
    Message& m = messages_[it->second];
    NANOFAAS_FUZZ_CHECK(m.state == State::visible && redrive_due(m),
                        "only visible messages past maxReceiveCount move to the dead letters");
    check_contents(m, r);
    NANOFAAS_FUZZ_CHECK(r.receive_count == 1, "a dead letter starts unreceived");
    if (fifo_) {
      for (std::size_t k = 0; k < it->second; ++k) {
        const Message& before = messages_[k];
        NANOFAAS_FUZZ_CHECK(
            before.group != m.group || !live(before) || before.state == State::in_flight,
            "a FIFO message moves only when all before it are in flight");
      }
    }
    m.state = State::dead_lettered;
    ++m.generation;
  }

  /// The dead-letter queue's size bound: how many messages one poll can move at most.
  [[nodiscard]] std::size_t dead_letter_room() const noexcept { return dead_letter_room_; }

  /// After a poll and the dead-letter drain: a message the poll tried to move but could not
  /// (the dead-letter queue was full) counts as changed, so earlier receives no longer settle
  /// it. Every message met was tried when the poll `ran_dry`; otherwise only some maybe were.
  void unmoved(const PollForecast& f, bool ran_dry) {
    for (const std::size_t k : f.met) {
      Message& m = messages_[k];
      if (m.state != State::visible) continue;  // moved
      if (!ran_dry) {
        for (Held& h : held_) h.uncertain |= h.message == k && h.generation == m.generation;
      }
      ++m.generation;
    }
  }

  /// `ack`, in the records' order: deletes each message whose latest receive it is.
  void ack(std::span<const Held> records) {
    for (const Held& h : records) {
      Message& m = messages_[h.message];
      --m.holds;
      if (h.generation != m.generation) continue;
      m.state = State::deleted;
      ++m.generation;
    }
  }

  /// `nack`, in reverse order: a message still in flight becomes visible after `delay`.
  void nack(std::span<const Held> records, std::chrono::nanoseconds delay, Clock::time_point now) {
    delay = std::clamp(delay, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
    for (std::size_t k = records.size(); k-- > 0;) {
      Message& m = messages_[records[k].message];
      --m.holds;
      if (records[k].generation != m.generation || m.state != State::in_flight) continue;
      ++m.generation;
      m.state = delay.count() > 0 ? State::delayed : State::visible;
      m.due = now + delay;
    }
  }

  /// `release`: the holds end, the messages stay as they are.
  void release(std::span<const Held> records) {
    for (const Held& h : records) --messages_[h.message].holds;
  }

  /// `extend_visibility`: a message still in flight under that receive stays so until then.
  void extend(std::span<const Held> records, std::chrono::nanoseconds timeout,
              Clock::time_point now) {
    timeout = std::clamp(timeout, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
    for (const Held& h : records) {
      Message& m = messages_[h.message];
      if (h.generation == m.generation && m.state == State::in_flight) m.due = now + timeout;
    }
  }

  /// Checks that a held record's views still show its message (they must until handed back).
  void check_views(const Held& h) const {
    const Message& m = messages_[h.message];
    NANOFAAS_FUZZ_CHECK(h.record.body.view() == m.body, "a held record's body stays readable");
    NANOFAAS_FUZZ_CHECK(h.record.id == m.id, "a held record's id stays readable");
  }

 private:
  // A FIFO group as a poll sees it: ready (nothing in flight, first message visible), and the
  // messages a poll takes from its front before a delayed or redrive-due one.
  struct GroupScan {
    bool in_flight = false;
    bool ready = false;
    bool first_seen = false;
    bool counting = true;
    bool stops_at_redrive = false;
    std::size_t stop = 0;  // the redrive-due message it stops at
    std::size_t redrive_due = 0;
    std::vector<std::size_t> prefix;
  };

  static bool live(const Message& m) {
    return m.state == State::visible || m.state == State::in_flight || m.state == State::delayed;
  }
  bool redrive_due(const Message& m) const {
    return max_receive_count_ != 0 && m.receives >= max_receive_count_;
  }

  std::map<std::string, GroupScan> scan_groups() const {
    std::map<std::string, GroupScan> groups;
    for (std::size_t k = 0; k < messages_.size(); ++k) {
      const Message& m = messages_[k];
      if (!live(m)) continue;
      GroupScan& g = groups[m.group];
      const bool visible = m.state == State::visible;
      g.in_flight |= m.state == State::in_flight;
      if (!g.first_seen) {
        g.first_seen = true;
        g.ready = visible;
      }
      if (visible && redrive_due(m)) ++g.redrive_due;
      if (!g.counting) continue;
      if (visible && !redrive_due(m)) {
        g.prefix.push_back(k);
      } else {
        g.counting = false;
        g.stops_at_redrive = visible;
        g.stop = k;
      }
    }
    for (auto& [name, g] : groups) g.ready &= !g.in_flight;
    return groups;
  }

  void check_contents(const Message& m, const Record& r) const {
    NANOFAAS_FUZZ_CHECK(r.body.view() == m.body, "a record carries its message's body");
    NANOFAAS_FUZZ_CHECK(r.body.padded(), "a record's body is padded");
    NANOFAAS_FUZZ_CHECK(r.arrival_time == m.arrival, "a record carries its arrival time");
    NANOFAAS_FUZZ_CHECK(r.partition_key == m.group, "a FIFO record carries its group");
    NANOFAAS_FUZZ_CHECK(r.attributes.size() == m.attributes.size(), "attributes are kept");
    for (std::size_t a = 0; a < m.attributes.size(); ++a) {
      NANOFAAS_FUZZ_CHECK(r.attributes[a].name == m.attributes[a].name &&
                              r.attributes[a].value == m.attributes[a].value,
                          "attributes are kept in order");
    }
  }

  void learn_id(std::size_t k, std::string_view id) {
    Message& m = messages_[k];
    if (!m.id.empty()) {
      NANOFAAS_FUZZ_CHECK(m.id == id, "a message keeps its id");
      return;
    }
    NANOFAAS_FUZZ_CHECK(!id.empty(), "a message has an id");
    const bool fresh = ids_.emplace(std::string(id), k).second;
    NANOFAAS_FUZZ_CHECK(fresh, "message ids are unique");
    m.id = id;
  }

  const bool fifo_;
  const std::chrono::nanoseconds visibility_;
  const std::uint32_t max_receive_count_;
  const std::size_t max_messages_;
  const std::size_t dead_letter_room_;
  std::vector<Message> messages_;  // by sequence number - 1
  std::unordered_map<std::string, std::size_t> ids_;
  std::vector<Held> held_;
};

}  // namespace nanofaas::fuzz
