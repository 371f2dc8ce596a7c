#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The soak's payloads carry a sequence number, so that every outcome a sink, queue or spill
// handler gets can be traced back to the event or message it came from.

namespace soak {

/// What an asynchronous event's handler does (the letter after its sequence number).
namespace behaviour {
inline constexpr char succeed = 'o';
inline constexpr char fail = 'e';          // Response::error (Handled)
inline constexpr char throw_error = 't';   // throws (Unhandled)
inline constexpr char time_out = 'w';      // waits on its fiber past the deadline
inline constexpr char flaky = 'f';         // fails its first two attempts
inline constexpr char nested_call = 'n';   // Context::invoke of another function
inline constexpr char nested_event = 'a';  // Context::invoke_async of another function
inline constexpr char loop = 'L';          // invokes itself asynchronously until stopped
inline constexpr char pause = 's';         // sleeps on its fiber briefly, then succeeds
}  // namespace behaviour

/// "seq:N|B|" plus `padding` bytes; every fourth event as a JSON string instead (Lambda
/// embeds a JSON payload in its records as JSON, other bytes as a string).
std::string async_body(std::uint64_t seq, char behaviour, std::size_t padding);
/// A body for a call that is not tracked: "seq:-|B|", in static storage. A synchronous call
/// borrows its caller's bytes, and a callee that starts after its caller timed out still reads
/// them: these never go away.
std::string_view untracked_body(char behaviour);

/// An event's sequence number and behaviour; no sequence number for an untracked body.
struct AsyncBody {
  std::optional<std::uint64_t> seq{};
  char behaviour = behaviour::succeed;
};
/// Reads the first "seq:" in `text`: an event body, or a record or dead letter holding one.
AsyncBody parse_async_body(std::string_view text);

/// The value of the first `"key":"value"` in JSON text (no unescaping: ids and conditions).
std::optional<std::string_view> json_string(std::string_view json, std::string_view key);
/// A 64-bit mix of a request id's text (the form every channel can give).
std::uint64_t id_hash(std::string_view id_text);

/// What a queue message's handler does with it, by its sequence number.
namespace message_kind {
inline constexpr char succeed = 'o';
inline constexpr char filtered = 'x';   // dropped by a mapping's filter (else succeeds)
inline constexpr char not_json = 'z';   // invalid JSON: no filter matches (else succeeds)
inline constexpr char fail_once = 'f';  // reported failed on its first receive
inline constexpr char poison = 'p';     // fails every receive: ends in the dead-letter queue
}  // namespace message_kind

/// The kind of message `seq` is: a fixed function of the seed and the number.
char kind_of_message(std::uint64_t seq, std::uint64_t seed);
/// `{"seq":N,"k":"K","pad":"…"}`, cut short for `not_json`.
std::string message_body(std::uint64_t seq, char kind, std::size_t padding);
/// The sequence number of a message body (also of a cut-short one).
std::optional<std::uint64_t> message_seq(std::string_view body);

/// A well-mixed 64-bit hash of two numbers (splitmix64), for decisions that must be the same
/// in a handler and in the checks.
std::uint64_t mix(std::uint64_t a, std::uint64_t b);

}  // namespace soak
