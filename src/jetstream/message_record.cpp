#include "jetstream/message_record.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanofaas/trace_context.hpp"

namespace nanofaas::detail {
namespace {

bool starts_with_nats(std::string_view key) {
  return key.size() >= 5 && (key.substr(0, 5) == "Nats-" || key.substr(0, 5) == "nats-");
}

}  // namespace

std::vector<RecordAttribute> user_headers(natsMsg* msg) {
  std::vector<RecordAttribute> out;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &count) != NATS_OK) return out;
  for (int i = 0; i < count; ++i) {
    const char* value = nullptr;
    if (starts_with_nats(keys[i]) || natsMsgHeader_Get(msg, keys[i], &value) != NATS_OK ||
        value == nullptr) {
      continue;
    }
    out.push_back({keys[i], value});
  }
  std::free(static_cast<void*>(keys));  // the array is the caller's; the strings the message's
  return out;
}

std::unique_ptr<HeldMessage> make_held_message(NatsMsgPtr msg, const jsMsgMetaData& meta,
                                               const Clock& clock) {
  auto held = std::make_unique<HeldMessage>();
  held->msg = std::move(msg);
  held->fetched = std::chrono::steady_clock::now();
  held->id = std::to_string(meta.Sequence.Stream);
  Record& r = held->record;
  // Headers become attributes, but those with a field of their own.
  for (RecordAttribute& h : user_headers(held->msg.get())) {
    if (h.name == "traceparent") {
      if (auto trace = TraceContext::from_traceparent(h.value)) r.trace = *trace;
    } else if (h.name == chain_depth_header) {
      std::from_chars(h.value.data(), h.value.data() + h.value.size(), r.chain_depth);
    } else {
      held->attributes.push_back(std::move(h));
    }
  }
  // The stream's timestamp is wall-clock time; the record's is by `clock`, as old as it.
  const auto wall_age = std::chrono::system_clock::now().time_since_epoch() -
                        std::chrono::nanoseconds(meta.Timestamp);
  const auto age = std::max(std::chrono::nanoseconds(0),
                            std::chrono::duration_cast<std::chrono::nanoseconds>(wall_age));
  r.id = held->id;
  const char* data = natsMsg_GetData(held->msg.get());
  r.body = PayloadView(data != nullptr ? data : "",
                       static_cast<std::size_t>(natsMsg_GetDataLength(held->msg.get())), false);
  r.attributes = held->attributes;
  r.sequence_number = meta.Sequence.Stream;
  r.arrival_time = clock.now() - age;
  r.receive_count = static_cast<std::uint32_t>(meta.NumDelivered);
  r.lane = 0;
  return held;
}

}  // namespace nanofaas::detail
