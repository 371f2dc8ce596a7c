#pragma once

// An asynchronous event as a JetStream message: the body is the request, the rest headers.

#include <vector>

#include "nanofaas/expected.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/stored_event.hpp"

namespace nanofaas::detail {

/// The headers that carry `event` but its body (and its request id, sent as `Nats-Msg-Id`
/// too, for duplicate suppression).
[[nodiscard]] std::vector<RecordAttribute> event_headers(const StoredEvent& event);

/// The event a fetched message carries (views into `record`; its age from when it was first
/// stored, else from the stream's timestamp, as `record.arrival_time` by the steady clock),
/// or `invalid_argument` for a message no event queue stored.
[[nodiscard]] Expected<StoredEvent> event_of(const Record& record);

}  // namespace nanofaas::detail
