#pragma once

// What the event source mapping tests share: a journal of the batches a handler saw, and
// readers of a mapping's metrics and of the records it sends on failure.

#include <simdjson.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace nanofaas::test {

/// How long a test waits for its handler to see something before it fails.
inline constexpr std::chrono::seconds patience{20};

/// What a batch handler saw, call by call; tests wait on it instead of sleeping.
struct Journal {
  struct Item {
    std::string id;
    std::string body;
    std::string key;
    std::uint64_t sequence = 0;
    std::uint32_t receive_count = 0;
    std::uint32_t shard = 0;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::vector<Item>> batches;
  std::size_t items = 0;

  void record(const Event& event) {
    std::vector<Item> batch;
    for (const Record& r : event.records()) {
      batch.push_back({std::string(r.id), std::string(r.body.view()), std::string(r.partition_key),
                       r.sequence_number, r.receive_count, r.lane});
    }
    std::lock_guard lock(mutex);
    items += batch.size();
    batches.push_back(std::move(batch));
    changed.notify_all();
  }
  /// Waits until `pred()` holds (under the lock); false after `patience`.
  template <class P>
  bool wait(P pred) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, patience, pred);
  }
  bool wait_items(std::size_t n) {
    return wait([&] { return items >= n; });
  }
  /// A batch handler that records its batches and succeeds.
  auto handler() {
    return [this](const Event& e) {
      record(e);
      return Response();
    };
  }
  /// A batch handler that records its batches and reports `body` as failed the first time
  /// it is received.
  auto failing_first_receive_of(std::string body) {
    return [this, body](const Event& e) {
      record(e);
      std::vector<std::string> failed;
      for (const Record& r : e.records()) {
        if (r.body.view() == body && r.receive_count == 1) failed.emplace_back(r.id);
      }
      return Response::batch_item_failures(std::move(failed));
    };
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (auto& b : batches) {
      for (auto& i : b) out.push_back(i.body);
    }
    return out;
  }
};

/// The metrics of mapping `uuid`, or the test fails.
inline EventSourceMappingMetrics metrics_of(Engine& engine, const std::string& uuid) {
  auto m = engine.event_source_mapping_metrics(uuid);
  if (!m) throw std::runtime_error(m.error().message);
  return *m;
}

/// The value at `path` in the JSON object `json`: a string's text, anything else minified.
inline std::string json_field(const std::string& json, std::initializer_list<const char*> path) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element e = parser.parse(padded);
  for (const char* key : path) e = e[key];
  if (e.is_string()) return std::string(std::string_view(e));
  return simdjson::minify(e);
}

}  // namespace nanofaas::test
