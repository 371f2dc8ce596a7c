#include "message_ledger.hpp"

#include <algorithm>

namespace soak {

MessageLedger::MessageLedger(std::size_t capacity) : bits_(capacity), queue_(capacity) {}

void MessageLedger::reset() {
  for (auto& b : bits_) b.store(0, std::memory_order_relaxed);
  for (auto& q : queue_) q.store(0, std::memory_order_relaxed);
  next_.store(0);
  untraceable_.store(0);
}

std::optional<std::uint64_t> MessageLedger::next_seq() {
  const std::uint64_t seq = next_.fetch_add(1, std::memory_order_relaxed);
  if (seq < bits_.size()) return seq;
  next_.fetch_sub(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::uint64_t MessageLedger::issued() const {
  return std::min<std::uint64_t>(next_.load(), bits_.size());
}

void MessageLedger::sent(std::uint64_t seq, std::uint16_t queue) {
  queue_[seq].store(queue, std::memory_order_relaxed);
  bits_[seq].fetch_or(1u << 16, std::memory_order_relaxed);
}

bool MessageLedger::traceable(std::optional<std::uint64_t> seq) {
  if (seq && *seq < issued()) return true;
  untraceable_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void MessageLedger::succeeded(std::optional<std::uint64_t> seq) {
  if (!traceable(seq)) return;
  // Saturates at 255 runs: more would be a bug the checks report anyway.
  std::uint32_t bits = bits_[*seq].load(std::memory_order_relaxed);
  while ((bits & 0xffu) != 0xffu &&
         !bits_[*seq].compare_exchange_weak(bits, bits + 1, std::memory_order_relaxed)) {
  }
}

void MessageLedger::found(std::optional<std::uint64_t> seq, Found where) {
  if (!traceable(seq)) return;
  bits_[*seq].fetch_add(where == Found::in_queue ? 1u << 8 : 1u << 12, std::memory_order_relaxed);
}

MessageEntry MessageLedger::entry(std::uint64_t seq) const {
  return {bits_[seq].load(std::memory_order_relaxed), queue_[seq].load(std::memory_order_relaxed)};
}

}  // namespace soak
