#include "jetstream/event_headers.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "jetstream/message_record.hpp"

namespace nanofaas::detail {
namespace {

constexpr std::string_view request_id_header = "Nanofaas-Request-Id";
constexpr std::string_view alias_header = "Nanofaas-Alias";
constexpr std::string_view qualified_header = "Nanofaas-Qualified";
constexpr std::string_view attempts_header = "Nanofaas-Attempts";
constexpr std::string_view enqueued_header = "Nanofaas-Enqueued";  // wall-clock ns since 1970

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// 32 lowercase hex digits: the id's 128 bits exactly (its UUID form drops a few).
std::string hex_of(const RequestId& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = digits[(id.high >> (4 * i)) & 0xf];
    out[31 - i] = digits[(id.low >> (4 * i)) & 0xf];
  }
  return out;
}

bool parse_hex(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::vector<RecordAttribute> event_headers(const StoredEvent& event) {
  std::vector<RecordAttribute> headers;
  headers.reserve(5);
  headers.push_back({std::string(request_id_header), hex_of(event.id)});
  headers.push_back({chain_depth_header, std::to_string(event.depth)});
  if (event.trace.valid()) headers.push_back({"traceparent", event.trace.traceparent()});
  if (!event.alias.empty())
    headers.push_back({std::string(alias_header), std::string(event.alias)});
  if (event.qualified) headers.push_back({std::string(qualified_header), "1"});
  if (event.attempts != 0) {
    headers.push_back({std::string(attempts_header), std::to_string(event.attempts)});
  }
  headers.push_back({std::string(enqueued_header), std::to_string(wall_ns() - event.age.count())});
  return headers;
}

Expected<StoredEvent> event_of(const Record& record) {
  StoredEvent event;
  bool has_id = false;
  // Without the header (an event stored by an older writer), its age runs from the stream's
  // timestamp, which the record's arrival time gives.
  event.age = std::chrono::steady_clock::now() - record.arrival_time;
  for (const RecordAttribute& a : record.attributes) {
    if (a.name == request_id_header) {
      has_id = a.value.size() == 32 &&
               parse_hex(std::string_view(a.value).substr(0, 16), event.id.high) &&
               parse_hex(std::string_view(a.value).substr(16), event.id.low);
    } else if (a.name == alias_header) {
      event.alias = a.value;
    } else if (a.name == qualified_header) {
      event.qualified = a.value == "1";
    } else if (a.name == attempts_header) {
      std::from_chars(a.value.data(), a.value.data() + a.value.size(), event.attempts);
    } else if (a.name == enqueued_header) {
      std::int64_t wall = 0;
      const auto [end, ec] = std::from_chars(a.value.data(), a.value.data() + a.value.size(), wall);
      if (ec == std::errc{} && end == a.value.data() + a.value.size()) {
        event.age = std::chrono::nanoseconds(std::max<std::int64_t>(0, wall_ns() - wall));
      }
    }
  }
  if (!has_id || !event.id) {
    return Unexpected(Error{Errc::invalid_argument, "message " + std::string(record.id) +
                                                        " carries no event (no valid " +
                                                        std::string(request_id_header) + ")"});
  }
  if (record.chain_depth == 0) {
    return Unexpected(Error{Errc::invalid_argument,
                            "message " + std::string(record.id) + " carries no chain depth"});
  }
  event.depth = record.chain_depth;
  event.trace = record.trace;
  event.body = record.body;
  return event;
}

}  // namespace nanofaas::detail
