#include "nanofaas/trace_context.hpp"

#include "common/fail.hpp"

// W3C traceparent and X-Ray's X-Amzn-Trace-Id, read and written without allocating on the
// way in: bad input is an error value, never a throw or a read past the text.

namespace nanofaas {

// Copied into every invocation, event and queue message: kept to half a cache line.
static_assert(sizeof(TraceContext) == 32);

namespace {

constexpr char digits[] = "0123456789abcdef";

/// The value of one hex digit, or -1. `upper`: 'A'-'F' count too.
int hex_value(char c, bool upper) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (upper && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Reads exactly `text.size()` (at most 16) hex digits into `out`; false on any other char.
bool read_hex(std::string_view text, bool upper, std::uint64_t& out) noexcept {
  if (text.empty() || text.size() > 16) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    const int d = hex_value(c, upper);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  out = v;
  return true;
}

/// Appends `id`'s low `count` hex digits.
void append_hex(std::string& out, std::uint64_t id, int count) {
  for (int shift = (count - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(digits[(id >> shift) & 15]);
}

Unexpected<Error> bad(std::string_view what, std::string_view text) {
  constexpr std::size_t shown = 80;
  std::string message(what);
  message += ": '";
  message += text.substr(0, shown);
  if (text.size() > shown) message += "...";
  message += "'";
  return detail::fail(Errc::invalid_argument, std::move(message));
}

/// Removes spaces and tabs at both ends (X-Ray's fields may have them around ';').
std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Expected<TraceContext> TraceContext::from_traceparent(std::string_view text) {
  text = trim(text);
  if (text.size() < traceparent_size) return bad("traceparent too short", text);
  std::uint64_t version = 0;
  if (!read_hex(text.substr(0, 2), false, version) || version == 0xff) {
    return bad("traceparent version invalid", text);
  }
  // Version 00 is exactly 55 characters; a later one may add fields after a '-'.
  if (version == 0 ? text.size() != traceparent_size
                   : text.size() > traceparent_size && text[traceparent_size] != '-') {
    return bad("traceparent has trailing characters", text);
  }
  if (text[2] != '-' || text[35] != '-' || text[52] != '-') {
    return bad("traceparent fields not separated by '-'", text);
  }
  TraceContext c;
  std::uint64_t flags = 0;
  if (!read_hex(text.substr(3, 16), false, c.trace_id_high) ||
      !read_hex(text.substr(19, 16), false, c.trace_id_low) ||
      !read_hex(text.substr(36, 16), false, c.span_id) ||
      !read_hex(text.substr(53, 2), false, flags)) {
    return bad("traceparent holds a character that is not lowercase hex", text);
  }
  if (!c.valid()) return bad("traceparent trace id is all zeros", text);
  if (c.span_id == 0) return bad("traceparent parent id is all zeros", text);
  c.sampled = (flags & 1) != 0;
  return c;
}

Expected<TraceContext> TraceContext::from_x_amzn_trace_id(std::string_view header) {
  TraceContext c;
  bool root = false;
  std::string_view text = header;  // what is left to read
  while (!text.empty()) {
    const std::size_t semicolon = text.find(';');
    const std::string_view field = trim(text.substr(0, semicolon));
    text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
    const std::size_t equals = field.find('=');
    if (equals == std::string_view::npos) {
      if (field.empty()) continue;
      return bad("X-Amzn-Trace-Id field without '='", field);
    }
    const std::string_view key = trim(field.substr(0, equals));
    const std::string_view value = trim(field.substr(equals + 1));
    if (key == "Root") {
      // "1-" 8 hex digits of epoch seconds "-" 24 hex digits: the 128-bit id in two parts.
      std::uint64_t seconds = 0;
      std::uint64_t middle = 0;
      if (value.size() != 35 || value.substr(0, 2) != "1-" || value[10] != '-' ||
          !read_hex(value.substr(2, 8), true, seconds) ||
          !read_hex(value.substr(11, 8), true, middle) ||
          !read_hex(value.substr(19, 16), true, c.trace_id_low)) {
        return bad("X-Amzn-Trace-Id Root malformed", value);
      }
      c.trace_id_high = (seconds << 32) | middle;
      if (!c.valid()) return bad("X-Amzn-Trace-Id Root is all zeros", value);
      root = true;
    } else if (key == "Parent") {
      if (value.size() != 16 || !read_hex(value, true, c.span_id)) {
        return bad("X-Amzn-Trace-Id Parent malformed", value);
      }
    } else if (key == "Sampled") {
      if (value == "0") {
        c.sampled = false;
      } else if (value == "1" || value == "?") {
        c.sampled = true;
      } else {
        return bad("X-Amzn-Trace-Id Sampled malformed", value);
      }
    }
  }
  if (!root) return bad("X-Amzn-Trace-Id without Root", header);
  return c;
}

std::string TraceContext::traceparent() const {
  std::string out;
  out.reserve(traceparent_size);
  out += "00-";
  append_hex(out, trace_id_high, 16);
  append_hex(out, trace_id_low, 16);
  out += '-';
  append_hex(out, span_id, 16);
  out += sampled ? "-01" : "-00";
  return out;
}

std::string TraceContext::x_amzn_trace_id() const {
  std::string out;
  out.reserve(x_amzn_trace_id_max_size);
  out += "Root=1-";
  append_hex(out, trace_id_high >> 32, 8);
  out += '-';
  append_hex(out, trace_id_high & 0xffff'ffffu, 8);
  append_hex(out, trace_id_low, 16);
  if (span_id != 0) {
    out += ";Parent=";
    append_hex(out, span_id, 16);
  }
  out += sampled ? ";Sampled=1" : ";Sampled=0";
  return out;
}

std::string TraceContext::trace_id_hex() const {
  std::string out;
  out.reserve(32);
  append_hex(out, trace_id_high, 16);
  append_hex(out, trace_id_low, 16);
  return out;
}

std::string to_hex16(std::uint64_t id) {
  std::string out;
  out.reserve(16);
  append_hex(out, id, 16);
  return out;
}

}  // namespace nanofaas
