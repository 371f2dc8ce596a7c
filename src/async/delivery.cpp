#include "async/delivery.hpp"
#include "async/async_dispatcher.hpp"
#include "async/queue_record_sink.hpp"
#include "common/trace_ids.hpp"
#include "nanofaas/record_sink.hpp"
#include "runtime/chain_depth.hpp"
#include "runtime/tick_clock.hpp"

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
      return invoke_async(destination.function, Payload::copy_of(record.json), depth + 1,
                          &record.trace)
          .has_value();
    });
  }
  if (destination.queue || destination.record_sink) {
    // The record continues the event's chain: a queue's mapping invokes one deeper.
    const ThreadChainDepth chain_depth(depth, &record.trace);
    if (destination.queue) {
      QueueRecordSink queue(*destination.queue);
      delivered &= put_into(queue, record);
    }
    if (destination.record_sink) delivered &= put_into(*destination.record_sink, record);
  }
  return delivered;
}

bool AsyncDispatcher::send_dead_letter(Version& v, const AsyncConfig& async,
                                       const DeadLetter& letter) noexcept {
  if (!has_dead_letter(async)) return true;
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
  if (!sent) v.counters.async().dead_letter_errors.fetch_add(1, std::memory_order_relaxed);
  return sent;
}

TraceContext AsyncDispatcher::delivery_trace(const AsyncEvent& event) noexcept {
  TraceContext delivery = event.trace;
  delivery.span_id = TraceIds::span_id();
  return delivery;
}

void AsyncDispatcher::export_delivery_span(const AsyncEvent& event, const TraceContext& delivery,
                                           std::string_view condition, bool delivered,
                                           time_point start) const noexcept {
  const Version& v = *event.version;
  Span span;
  span.trace = event.trace;
  if (event.attempt_span != 0) span.trace.span_id = event.attempt_span;
  span.span_id = delivery.span_id;
  span.kind = SpanKind::destination;
  span.outcome = delivered ? SpanOutcome::ok : SpanOutcome::failed;
  span.function_name = v.function->name;
  span.function_version = v.name;
  span.request_id = event.id;
  span.start_unix_nano = core_.unix_nanos(start);
  span.end_unix_nano = core_.unix_nanos(TickClock::now());
  span.attempt = event.attempts;
  span.detail = condition;
  core_.export_span(span);
}

}  // namespace nanofaas::detail
