#include "source/queue_state.hpp"

#include <string>

namespace nanofaas::detail {
namespace {

std::atomic<std::uint32_t> queue_numbers{0};

// "<queue number>-": message ids are unique in the process and short enough for
// std::string's inline buffer.
std::string id_prefix() {
  return std::to_string(queue_numbers.fetch_add(1, std::memory_order_relaxed) + 1) + '-';
}

}  // namespace

QueueState::QueueState(QueueConfig config, std::shared_ptr<QueueState> dead_letters)
    : config_(std::move(config)), dead_letters_(std::move(dead_letters)), next_id_(id_prefix()) {}

// Returns true when something became receivable.
bool QueueState::make_visible(std::uint32_t i) {
  QueueSlot& s = slots_[i];
  const SlotState was = s.state;
  s.state = SlotState::visible;
  ++visible_;
  if (was == SlotState::in_flight) {
    --in_flight_;
  } else {
    --delayed_;
  }
  if (!config_.fifo) {
    visible_list_.push_back(slots_, i);
    return true;
  }
  if (was == SlotState::in_flight) groups_.flight_ended(s.group);
  return groups_.update(s.group, slots_);
}

void QueueState::expire(Clock::time_point now) {
  for (;;) {
    const std::uint32_t i = deadlines_.pop_due(slots_, now);
    if (i == no_slot) return;
    make_visible(i);
  }
}

std::size_t QueueState::count(const std::size_t QueueState::*counter) {
  Guard guard(*this);
  expire(config_.clock->now());
  return this->*counter;
}

std::size_t QueueState::approximate_visible() {
  return count(&QueueState::visible_);
}

std::size_t QueueState::approximate_in_flight() {
  return count(&QueueState::in_flight_);
}

std::size_t QueueState::approximate_delayed() {
  return count(&QueueState::delayed_);
}

void QueueState::set_listener(const void* reader, std::function<void()> listener) {
  std::shared_ptr<const Listeners> old;  // released after the lock
  Guard guard(*this);
  listener_set_.set(reader, std::move(listener));
  old = std::exchange(listeners_, listener_set_.snapshot());
}

}  // namespace nanofaas::detail
