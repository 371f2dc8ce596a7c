#include "common/json_text.hpp"
#include "nanofaas/json_writer.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace nanofaas {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_json_value(std::string& out, std::string_view payload) {
  if (!payload.empty()) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(payload);
    if (parser.parse(padded).error() == simdjson::SUCCESS) {
      out += payload;
      return;
    }
  }
  append_json_string(out, payload);
}

JsonWriter& JsonWriter::number(double d) {
  element();
  if (!std::isfinite(d)) {
    out_ += "null";  // JSON has no infinities
    return *this;
  }
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
  out_.append(buf, end);
  return *this;
}

}  // namespace nanofaas

namespace nanofaas::detail {

std::string iso8601(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace nanofaas::detail
