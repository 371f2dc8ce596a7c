#include "async_ledger.hpp"

#include "payloads.hpp"

namespace soak {

AsyncLedger::AsyncLedger(std::size_t capacity)
    : counts_(capacity), id_mix_(capacity), completion_mix_(capacity), meta_(capacity) {}

void AsyncLedger::reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
  for (auto& m : id_mix_) m.store(0, std::memory_order_relaxed);
  for (auto& m : completion_mix_) m.store(0, std::memory_order_relaxed);
  for (auto& m : meta_) m.store(0, std::memory_order_relaxed);
  next_.store(0);
  accepted_.store(0);
  ended_.store(0);
  untraceable_.store(0);
}

std::optional<std::uint64_t> AsyncLedger::next_seq() {
  const std::uint64_t seq = next_.fetch_add(1, std::memory_order_relaxed);
  if (seq < counts_.size()) return seq;
  next_.fetch_sub(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::uint64_t AsyncLedger::issued() const {
  return std::min<std::uint64_t>(next_.load(), counts_.size());
}

void AsyncLedger::accepted(std::uint64_t seq, const nanofaas::RequestId& id, Profile profile,
                           bool wants_completion) {
  const std::uint64_t h = id_hash(id.to_string());
  id_mix_[seq].fetch_xor(h, std::memory_order_relaxed);
  if (wants_completion) completion_mix_[seq].fetch_xor(h, std::memory_order_relaxed);
  const auto bits = static_cast<std::uint8_t>(static_cast<unsigned>(profile) | 8u |
                                              (wants_completion ? 32u : 0u));
  meta_[seq].fetch_or(bits, std::memory_order_relaxed);
  accepted_.fetch_add(1, std::memory_order_relaxed);
}

void AsyncLedger::rejected(std::uint64_t seq) {
  meta_[seq].fetch_or(16u, std::memory_order_relaxed);
}

void AsyncLedger::delivered(std::optional<std::uint64_t> seq, Channel channel,
                            std::optional<std::string_view> primary_id) {
  if (!seq || *seq >= issued()) {
    untraceable_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  counts_[*seq].fetch_add(std::uint64_t{1} << (4 * static_cast<unsigned>(channel)),
                          std::memory_order_relaxed);
  if (primary_id) {
    id_mix_[*seq].fetch_xor(id_hash(*primary_id), std::memory_order_relaxed);
    ended_.fetch_add(1, std::memory_order_relaxed);
  }
}

void AsyncLedger::completed(std::uint64_t seq, std::string_view condition,
                            const nanofaas::RequestId& id) {
  Ending ending = Ending::failure;
  if (condition == "Success") ending = Ending::success;
  if (condition == "Shutdown") ending = Ending::shutdown;
  counts_[seq].fetch_add(std::uint64_t{1} << (4 * static_cast<unsigned>(Channel::completion)),
                         std::memory_order_relaxed);
  completion_mix_[seq].fetch_xor(id_hash(id.to_string()), std::memory_order_relaxed);
  meta_[seq].fetch_or(static_cast<std::uint8_t>(static_cast<unsigned>(ending) << 6),
                      std::memory_order_relaxed);
}

unsigned AsyncLedger::attempt(std::uint64_t seq) {
  const std::uint64_t before =
      counts_[seq].fetch_add(std::uint64_t{1} << attempts_shift, std::memory_order_relaxed);
  return static_cast<unsigned>(before >> attempts_shift);
}

LedgerEntry AsyncLedger::entry(std::uint64_t seq) const {
  LedgerEntry e;
  e.counts = counts_[seq].load(std::memory_order_relaxed) & ((std::uint64_t{1} << 28) - 1);
  e.id_mix = id_mix_[seq].load(std::memory_order_relaxed);
  e.completion_mix = completion_mix_[seq].load(std::memory_order_relaxed);
  e.meta = meta_[seq].load(std::memory_order_relaxed);
  return e;
}

}  // namespace soak
