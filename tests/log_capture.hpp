#pragma once

// What the log tests share: a sink that keeps every line the engine writes, and a JSON reader.

#include <simdjson.h>

#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/nanofaas.hpp"

namespace nanofaas::test {

/// Keeps copies of every record a log sink receives.
struct LogCapture {
  struct Line {
    LogRecord::Source source;
    LogLevel level;
    std::string function_name;
    std::string version;
    std::string request_id;
    std::string message;
    std::string line;
  };
  std::mutex mutex;
  std::vector<Line> lines;

  /// The sink for `EngineConfig::log_sink`.
  auto sink() {
    return [this](const LogRecord& r) {
      std::lock_guard lock(mutex);
      lines.push_back({r.source, r.level, std::string(r.function_name), std::string(r.version),
                       std::string(r.request_id), std::string(r.message), std::string(r.line)});
    };
  }
  /// A copy of the lines so far.
  std::vector<Line> snapshot() {
    std::lock_guard lock(mutex);
    return lines;
  }
  /// The formatted lines of request `id`, in order.
  std::vector<std::string> of_request(const std::string& id) {
    std::vector<std::string> out;
    for (const Line& l : snapshot()) {
      if (l.request_id == id) out.push_back(l.line);
    }
    return out;
  }
};

/// A parsed JSON log line; the parser must outlive the element.
inline simdjson::dom::element parse_json_line(simdjson::dom::parser& parser,
                                              const std::string& line) {
  return parser.parse(simdjson::padded_string(line));
}

}  // namespace nanofaas::test
