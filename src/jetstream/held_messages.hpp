#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jetstream/nats_handles.hpp"
#include "nanofaas/record.hpp"

namespace nanofaas::detail {

/// A fetched message while a reader holds it: the record a poll hands out, whose views point
/// into the message and the strings here.
struct HeldMessage {
  NatsMsgPtr msg{};
  std::string id{};
  std::vector<RecordAttribute> attributes{};
  Record record{};
  /// When it was fetched (its ack wait runs from about then), by the steady clock.
  std::chrono::steady_clock::time_point fetched{};
};

/// The messages a reader holds, by handle (`Record::handle`: the slot's generation and
/// index, so that a stale handle finds nothing). Not thread-safe: the reader locks.
class HeldMessages {
 public:
  /// Takes `held` in; sets and returns its record's handle. Its address stays put.
  std::uint64_t add(std::unique_ptr<HeldMessage> held);
  /// The message with `handle`, or null.
  [[nodiscard]] HeldMessage* find(std::uint64_t handle) noexcept;
  /// Takes the message with `handle` out (null if none), freeing its slot.
  std::unique_ptr<HeldMessage> remove(std::uint64_t handle) noexcept;
  /// Calls `f(HeldMessage&)` for each message held.
  template <class F>
  void for_each(F&& f) {
    for (Slot& slot : slots_) {
      if (slot.held != nullptr) f(*slot.held);
    }
  }
  /// Messages held.
  [[nodiscard]] std::size_t size() const noexcept { return slots_.size() - free_.size(); }

 private:
  struct Slot {
    std::unique_ptr<HeldMessage> held;
    std::uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
};

}  // namespace nanofaas::detail
