#include "async/delivery.hpp"
#include "async/async_dispatcher.hpp"
#include "async/queue_record_sink.hpp"
#include "nanofaas/record_sink.hpp"
#include "runtime/chain_depth.hpp"

// Records to destinations and events to dead letters.

namespace nanofaas::detail {

namespace {

/// Hands `item` to `sink`; false when the sink threw or refused it.
template <class Item>
bool put_into(RecordSink& sink, const Item& item) noexcept {
  return succeeds([&] { return sink.put(item).has_value(); });
}

}  // namespace

bool AsyncDispatcher::deliver(const Destination& destination, const InvocationRecord& record,
                              std::uint32_t depth) noexcept {
  bool delivered = true;
  if (destination.sink) {
    delivered &= succeeds([&] {
      destination.sink(record);
      return true;
    });
  }
  if (!destination.function.empty()) {
    delivered &= succeeds([&] {
      return invoke_async(destination.function, Payload::copy_of(record.json), depth + 1)
          .has_value();
    });
  }
  if (destination.queue || destination.record_sink) {
    // The record continues the event's chain: a queue's mapping invokes one deeper.
    const ThreadChainDepth chain_depth(depth);
    if (destination.queue) {
      QueueRecordSink queue(*destination.queue);
      delivered &= put_into(queue, record);
    }
    if (destination.record_sink) delivered &= put_into(*destination.record_sink, record);
  }
  return delivered;
}

void AsyncDispatcher::send_dead_letter(Version& v, const AsyncConfig& async,
                                       const DeadLetter& letter) noexcept {
  if (!has_dead_letter(async)) return;
  bool sent = true;
  if (async.dead_letter) {
    sent &= succeeds([&] {
      async.dead_letter(letter);
      return true;
    });
  }
  if (async.dead_letter_queue) {
    QueueRecordSink queue(*async.dead_letter_queue);
    sent &= put_into(queue, letter);
  }
  if (async.dead_letter_sink) sent &= put_into(*async.dead_letter_sink, letter);
  if (!sent) v.counters.dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace nanofaas::detail
