#pragma once

// What the asynchronous invocation tests share: a collector of invocation records and dead
// letters, and readers of a record's JSON.

#include <simdjson.h>

#include <cstddef>
#include <functional>
#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace nanofaas::test {

/// Collects records and dead letters; `done` opens after `expected` outcomes.
struct Outcomes {
  explicit Outcomes(std::ptrdiff_t expected) : done(expected) {}
  std::mutex mutex;
  std::vector<std::string> records;
  std::vector<std::string> letters;
  std::latch done;
  Destination sink() {
    return {.sink = [this](const InvocationRecord& r) {
      {
        std::lock_guard lock(mutex);
        records.push_back(r.json);
      }
      done.count_down();
    }};
  }
  std::function<void(const DeadLetter&)> dead_letter() {
    return [this](const DeadLetter& d) {
      {
        std::lock_guard lock(mutex);
        letters.push_back(d.request_id.to_string() + "|" + std::string(d.error_code) + "|" +
                          std::string(d.error_message) + "|" + std::string(d.payload));
      }
      done.count_down();
    };
  }
};

/// `s` in double quotes, as a JSON string without escapes.
inline std::string quoted(const std::string& s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

/// The value of member `a` (or `a`.`b`) of the JSON object `json`, minified.
inline std::string field(const std::string& json, const char* a, const char* b = nullptr) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  auto doc = parser.parse(padded);
  auto v = b == nullptr ? doc[a] : doc[a][b];
  return simdjson::minify(v);
}

}  // namespace nanofaas::test
