#pragma once

#include "fleet.hpp"
#include "nanofaas/context.hpp"
#include "nanofaas/event.hpp"
#include "nanofaas/response.hpp"

// The handlers: what an event, an audit record or a batch of queue messages does, decided by
// its payload (events) or its sequence number (messages).

namespace soak {

/// An asynchronous function's handler: succeeds, fails, throws, times out, fails twice then
/// succeeds, calls another function, invokes one asynchronously, or loops, by the body.
nanofaas::Response run_event(const HandlerWorld& world, const nanofaas::Event& event,
                             nanofaas::Context& context);
/// An audit function's handler: gets another function's invocation record; fails one in ten.
nanofaas::Response run_audit(const HandlerWorld& world, const nanofaas::Event& event,
                             nanofaas::Context& context);
/// A mapped function's handler: runs a batch of queue messages. Now and then the whole batch
/// throws, fails or times out; else poison messages fail, "fail once" messages fail on their
/// first receive, and the rest succeed. With `report_items` the failures are reported per
/// message (ReportBatchItemFailures); without, any failure fails the batch.
nanofaas::Response run_batch(const HandlerWorld& world, const nanofaas::Event& event,
                             nanofaas::Context& context, bool report_items);

}  // namespace soak
