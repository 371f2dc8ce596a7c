#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nanofaas/clock.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {

/// No slot (or no group): the end of a list.
inline constexpr std::uint32_t no_slot = 0xffff'ffff;
/// A queue's message ids, "<queue number>-<sequence>", fit in this many bytes.
inline constexpr std::size_t queue_id_capacity = 32;

/// Where a queue's message is. `retired`: deleted or moved to the dead-letter queue while
/// receives that were not handed back yet still read the slot's memory; it is freed with the
/// last of them.
enum class SlotState : std::uint8_t { free, visible, in_flight, delayed, redriving, retired };

/// One message of a queue in three cache lines. A slot is not reused while a receive of its
/// message is not handed back (`holders`), so a record's views stay put until then. `body`
/// is alive exactly while the slot is not free (constructed and destroyed by hand: no empty
/// payloads are made or freed on the hot path).
struct alignas(64) QueueSlot {
  QueueSlot() noexcept {}  // leaves `body` unconstructed
  ~QueueSlot() {
    if (state != SlotState::free) body.~Payload();
  }
  QueueSlot(const QueueSlot&) = delete;
  QueueSlot& operator=(const QueueSlot&) = delete;

  union {
    Payload body;
  };
  std::unique_ptr<std::vector<RecordAttribute>> attributes{};  // null when there are none
  Clock::time_point arrival{};
  Clock::time_point deadline{};  // in flight: invisible until; delayed: visible from
  std::uint64_t sequence = 0;
  std::uint32_t generation = 0;  // bumped by every receive, nack, redrive and delete
  std::uint32_t born = 0;        // the generation when the message came in
  std::uint32_t holders = 0;     // receives not handed back yet (ack, nack or release)
  std::uint32_t receive_count = 0;
  std::uint32_t chain_depth = 0;       // the sender's invocation depth (loop detection)
  TraceContext trace{};                // the sender's trace (SQS's AWSTraceHeader)
  std::uint32_t prev = no_slot;        // standard: the visible list; FIFO: the group's list
  std::uint32_t next = no_slot;        // ... and the arena's free list
  std::uint32_t timer_prev = no_slot;  // the in-flight list, ordered by deadline
  std::uint32_t timer_next = no_slot;
  std::uint32_t heap_index = no_slot;  // position in the deadline heap
  std::uint32_t group = no_slot;
  SlotState state = SlotState::free;
  std::uint8_t id_size = 0;
  char id[queue_id_capacity]{};
};
static_assert(sizeof(QueueSlot) == 192);

}  // namespace nanofaas::detail
