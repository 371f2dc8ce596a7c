#include "source/queue_state.hpp"

#include <algorithm>

namespace nanofaas::detail {

void QueueState::ack(std::span<const Record> records) {
  std::shared_ptr<const Listeners> to_wake;
  {
    Guard guard(*this);
    bool ready = false;
    for (const Record& r : records) {
      // Deletes the latest receive, also after its visibility expired if nobody received the
      // message since (as SQS does). An earlier receive deletes nothing.
      if (hand_back_stale(r)) continue;
      ready |= erase(static_cast<std::uint32_t>(r.handle));
    }
    if (ready) to_wake = listeners_;
  }
  wake(to_wake);
}

void QueueState::nack(std::span<const Record> records, std::chrono::nanoseconds delay) {
  delay = std::clamp(delay, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
  std::shared_ptr<const Listeners> to_wake;
  {
    Guard guard(*this);
    const Clock::time_point now = delay.count() > 0 ? config_.clock->now() : Clock::time_point{};
    bool woke = false;
    // Standard queues put them back at the front in their order; FIFO messages never left
    // their place in the group.
    for (std::size_t k = records.size(); k-- > 0;) {
      if (hand_back_stale(records[k])) continue;
      const auto i = static_cast<std::uint32_t>(records[k].handle);
      QueueSlot* s = &slots_[i];
      if (s->holders != 0) --s->holders;
      if (s->state != SlotState::in_flight) continue;  // visible again: nothing to do
      deadlines_.disarm(slots_, i);
      ++s->generation;
      --in_flight_;
      if (config_.fifo) groups_.flight_ended(s->group);
      if (delay.count() > 0) {
        s->state = SlotState::delayed;
        ++delayed_;
        deadlines_.arm(slots_, i, now + delay, false);
        if (config_.fifo) woke |= groups_.update(s->group, slots_);
        continue;
      }
      s->state = SlotState::visible;
      ++visible_;
      if (config_.fifo) {
        woke |= groups_.update(s->group, slots_);
      } else {
        visible_list_.push_front(slots_, i);
        woke = true;
      }
    }
    if (woke) to_wake = listeners_;
  }
  wake(to_wake);
}

void QueueState::release(std::span<const Record> records) {
  Guard guard(*this);
  for (const Record& r : records) {
    const auto i = static_cast<std::uint32_t>(r.handle);
    if (slots_.contains(i)) hand_back(i, static_cast<std::uint32_t>(r.handle >> 32));
  }
}

void QueueState::extend_visibility(std::span<const Record> records,
                                   std::chrono::nanoseconds timeout) {
  timeout = std::clamp(timeout, std::chrono::nanoseconds{0}, queue_max_visibility_timeout);
  Guard guard(*this);
  const Clock::time_point now = config_.clock->now();
  for (const Record& r : records) {
    std::uint32_t i = 0;
    QueueSlot* s = find(r, i);
    if (s == nullptr || s->state != SlotState::in_flight) continue;
    deadlines_.disarm(slots_, i);
    const Clock::time_point deadline = now + timeout;
    deadlines_.arm(slots_, i, deadline, deadline <= now + config_.visibility_timeout);
  }
}

// Removes a visible or in-flight message for good, ending the receive that deletes it; true
// when its group became ready. The slot is retired while other receives still read it.
bool QueueState::erase(std::uint32_t i) {
  if (slots_[i].holders > 1) [[unlikely]] {
    return erase_held(i);
  }
  const bool ready = take_out(i, false);
  slots_.recycle(i);
  return ready;
}

// The rare case: earlier receives of the message were not handed back yet.
bool QueueState::erase_held(std::uint32_t i) {
  --slots_[i].holders;
  const bool ready = take_out(i, true);
  retire(i);
  return ready;
}

// Takes a visible or in-flight message out of the lists and counts; true when its group
// became ready. `retiring`: its group's name stays in use.
bool QueueState::take_out(std::uint32_t i, bool retiring) {
  QueueSlot& s = slots_[i];
  if (s.state == SlotState::in_flight) {
    deadlines_.disarm(slots_, i);
    --in_flight_;
    if (config_.fifo) groups_.flight_ended(s.group);
  } else {
    --visible_;
    if (!config_.fifo) visible_list_.remove(slots_, i);
  }
  if (!config_.fifo) return false;
  const std::uint32_t g = s.group;
  groups_.remove(slots_, g, i);
  if (retiring) groups_.name_retained(g);
  return groups_.update(g, slots_);
}

// The message is gone, but receives not handed back yet still read its memory: the slot keeps
// it, counted as live (the bound), until the last of them ends. A FIFO caller has counted it
// in its group's retired slots.
void QueueState::retire(std::uint32_t i) noexcept {
  QueueSlot& s = slots_[i];
  s.state = SlotState::retired;
  ++s.generation;
  s.prev = s.next = no_slot;
}

// Ends the hold of the receive `generation` of slot `i` without changing its message; frees a
// retired slot with its last hold. Receives of an earlier message in the slot are ignored. A
// record handed back twice (a caller's bug) never underflows the count, but may end another
// receive's hold of the same message.
void QueueState::hand_back(std::uint32_t i, std::uint32_t generation) noexcept {
  QueueSlot& s = slots_[i];
  if (s.holders == 0 || static_cast<std::uint32_t>(generation - s.born - 1) >=
                            static_cast<std::uint32_t>(s.generation - s.born)) {
    return;
  }
  if (--s.holders != 0 || s.state != SlotState::retired) return;
  if (config_.fifo) groups_.name_released(s.group, slots_);
  slots_.recycle(i);
}

// Ends the hold of `r`'s receive when it is not the message's latest any more; true then.
// Otherwise the message is in flight or visible again (every other change bumps the
// generation) and the caller settles it.
bool QueueState::hand_back_stale(const Record& r) noexcept {
  const auto i = static_cast<std::uint32_t>(r.handle);
  if (!slots_.contains(i)) return true;
  const auto generation = static_cast<std::uint32_t>(r.handle >> 32);
  if (slots_[i].generation == generation) return false;
  hand_back(i, generation);
  return true;
}

// The slot a record's handle names, if that receive is still the message's latest.
QueueSlot* QueueState::find(const Record& r, std::uint32_t& i) noexcept {
  i = static_cast<std::uint32_t>(r.handle);
  if (!slots_.contains(i)) return nullptr;
  QueueSlot& s = slots_[i];
  if (s.generation != static_cast<std::uint32_t>(r.handle >> 32)) return nullptr;
  return &s;
}

}  // namespace nanofaas::detail
