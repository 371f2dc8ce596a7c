#include <string>

#include "async/async_dispatcher.hpp"
#include "async/delivery.hpp"
#include "nanofaas/queue.hpp"
#include "runtime/chain_depth.hpp"

// Records to destinations and events to dead letters.

namespace nanofaas::detail {

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
  if (destination.queue) {
    delivered &= succeeds([&] {
      // The record continues the event's chain: the queue's mapping invokes one deeper.
      const ThreadChainDepth chain_depth(depth);
      return destination.queue->send(Payload::copy_of(record.json)).has_value();
    });
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
    sent &= succeeds([&] {
      // Lambda's SQS dead-letter message: the event as it came, the reason in attributes.
      SendOptions options;
      options.attributes = {{"RequestID", letter.request_id.to_string()},
                            {"ErrorCode", std::string(letter.error_code)},
                            {"ErrorMessage", std::string(letter.error_message)}};
      return async.dead_letter_queue->send(Payload::copy_of(letter.payload), std::move(options))
          .has_value();
    });
  }
  if (!sent) v.counters.dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace nanofaas::detail
