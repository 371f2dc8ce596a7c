#pragma once

#include <nats/nats.h>

#include <memory>
#include <vector>

#include "jetstream/held_messages.hpp"
#include "nanofaas/clock.hpp"

namespace nanofaas::detail {

/// The header carrying the sender's invocation depth, so a loop through a queue is caught.
inline constexpr const char* chain_depth_header = "Nanofaas-Chain-Depth";

/// A message's headers but the client's own (`Nats-*`), first value of each.
[[nodiscard]] std::vector<RecordAttribute> user_headers(natsMsg* msg);

/// A fetched JetStream message as a queue record: `id` its stream sequence, the body a view
/// of its data, headers as attributes (but `Nats-*` and those read into `trace` and
/// `chain_depth`), `receive_count` its delivery count, `arrival_time` its stream timestamp
/// by `clock`.
[[nodiscard]] std::unique_ptr<HeldMessage> make_held_message(NatsMsgPtr msg,
                                                             const jsMsgMetaData& meta,
                                                             const Clock& clock);

}  // namespace nanofaas::detail
