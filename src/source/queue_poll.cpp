#include "source/queue_state.hpp"

#include <algorithm>

#include "source/redrive_batch.hpp"

namespace nanofaas::detail {

std::size_t QueueState::poll(std::size_t max, std::vector<Record>& out) {
  if (max == 0 || surely_empty()) return 0;
  RedriveBatch redrives;
  std::size_t taken = 0;
  {
    Guard guard(*this);
    const Clock::time_point now = config_.clock->now();
    expire(now);
    if (!config_.fifo) {
      while (taken < max && !visible_list_.empty()) {
        const std::uint32_t i = visible_list_.pop_front(slots_);
        if (redrive_due(slots_[i])) {
          start_redrive(i, redrives);
        } else {
          receive(i, now, out);
          ++taken;
        }
      }
    } else {
      taken = poll_fifo(max, now, out, redrives);
    }
  }
  if (!redrives.empty()) {
    redrives.deliver(*dead_letters_);
    settle_redrives(redrives);
  }
  return taken;
}

// One pass over the ready groups, oldest first, each taking a fair share of `max`; then the
// groups with more to give fill the rest.
std::size_t QueueState::poll_fifo(std::size_t max, Clock::time_point now, std::vector<Record>& out,
                                  RedriveBatch& redrives) {
  std::size_t taken = 0;
  const std::size_t ready = groups_.ready_count();
  if (ready == 0) return 0;
  const std::size_t share = std::max<std::size_t>(1, (max + ready - 1) / ready);
  touched_.clear();
  while (taken < max) {
    const std::uint32_t g = groups_.pop_ready();
    if (g == no_slot) break;
    const std::uint32_t rest =
        take(groups_.front(g), std::min(share, max - taken), taken, now, out, redrives);
    if (rest != no_slot) touched_.emplace_back(g, rest);
  }
  for (std::size_t k = 0; k < touched_.size() && taken < max; ++k) {
    take(touched_[k].second, max - taken, taken, now, out, redrives);
  }
  return taken;
}

// Takes consecutive visible messages of a group from `cursor`, at most `limit`; returns the
// next message to take, or no_slot when the group can give no more in this poll.
std::uint32_t QueueState::take(std::uint32_t cursor, std::size_t limit, std::size_t& taken,
                               Clock::time_point now, std::vector<Record>& out,
                               RedriveBatch& redrives) {
  for (std::size_t n = 0; cursor != no_slot && n < limit; ++n) {
    QueueSlot& s = slots_[cursor];
    if (s.state != SlotState::visible) return no_slot;  // delayed: later messages wait
    const std::uint32_t next = s.next;
    if (redrive_due(s)) {
      start_redrive(cursor, redrives);
      return no_slot;  // the group waits until the message has moved
    }
    receive(cursor, now, out);
    ++taken;
    cursor = next;
  }
  return cursor;
}

void QueueState::receive(std::uint32_t i, Clock::time_point now, std::vector<Record>& out) {
  QueueSlot& s = slots_[i];
  s.state = SlotState::in_flight;
  ++s.receive_count;
  ++s.generation;
  ++s.holders;
  --visible_;
  ++in_flight_;
  std::string_view group_name{};
  if (config_.fifo) {
    group_name = groups_.flight_started(s.group);
  }
  // Goes to the heap only when the clock went back.
  deadlines_.arm(slots_, i, now + config_.visibility_timeout, true);
  out.push_back(Record{
      .id = std::string_view(s.id, s.id_size),
      .body = PayloadView(s.body),
      .attributes = s.attributes ? std::span<const RecordAttribute>(*s.attributes)
                                 : std::span<const RecordAttribute>(),
      .partition_key = group_name,
      .sequence_number = s.sequence,
      .arrival_time = s.arrival,
      .receive_count = s.receive_count,
      .chain_depth = s.chain_depth,
      .trace = s.trace,
      .lane = 0,
      .handle = (std::uint64_t{s.generation} << 32) | i,
  });
}

// A visible message leaves for the dead-letter queue: it holds its group until it is gone.
void QueueState::start_redrive(std::uint32_t i, RedriveBatch& redrives) {
  QueueSlot& s = slots_[i];
  s.state = SlotState::redriving;
  ++s.generation;
  --visible_;
  const std::string* name = nullptr;
  if (config_.fifo) {
    name = &groups_.flight_started(s.group);
  }
  redrives.add(i, s, name, s.holders != 0);
}

// Settles the messages `redrives` delivered: gone from here (the slot retired while earlier
// receives still read it), or visible again when the dead-letter queue was full.
void QueueState::settle_redrives(const RedriveBatch& redrives) {
  std::shared_ptr<const Listeners> to_wake;
  {
    Guard guard(*this);
    bool ready = false;
    for (std::size_t k = 0; k < redrives.size(); ++k) {
      const std::uint32_t i = redrives.index(k);
      QueueSlot& s = slots_[i];
      if (redrives.moved(k)) {
        if (config_.fifo) {
          const std::uint32_t g = s.group;
          groups_.flight_ended(g);
          groups_.remove(slots_, g, i);
          if (s.holders != 0) groups_.name_retained(g);
          ready |= groups_.update(g, slots_);
        }
        if (s.holders == 0) {
          slots_.recycle(i);
        } else {
          retire(i);
        }
      } else {
        // The message stays here, visible, and its move is tried again on the next poll. No
        // wake-up, so a full dead-letter queue does not spin pollers.
        s.state = SlotState::visible;
        ++visible_;
        if (config_.fifo) {
          groups_.flight_ended(s.group);
          groups_.update(s.group, slots_);
        } else {
          visible_list_.push_back(slots_, i);
        }
      }
    }
    if (ready) to_wake = listeners_;
  }
  wake(to_wake);
}

}  // namespace nanofaas::detail
