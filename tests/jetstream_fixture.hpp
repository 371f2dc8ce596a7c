#pragma once

// What the JetStream tests share: polling a reader until records arrive, and reading back
// what a stream holds.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "test_support.hpp"

namespace nanofaas::test {

/// Polls `lane` of `reader` until `n` records arrived in all (or the test's patience ends).
inline std::vector<Record> poll_until(SourceReader& reader, std::uint32_t lane, std::size_t n) {
  std::vector<Record> out;
  eventually([&] {
    reader.poll(lane, n - out.size(), out);
    return out.size() >= n;
  });
  return out;
}

/// A message read back from a stream: its body and headers.
struct Stored {
  std::string body;
  std::map<std::string, std::string> headers;
};

/// The first `n` messages of `stream` (fewer if they do not come within the test's
/// patience), read and acked through a queue source on it.
inline std::vector<Stored> read_back(const JetStream& js, const std::string& stream,
                                     std::size_t n) {
  auto source = jetstream_queue_source(js, {.stream = stream});
  if (!source) throw std::runtime_error(source.error().message);
  auto reader = (*source)->open({}).value();
  const std::vector<Record> records = poll_until(*reader, 0, n);
  std::vector<Stored> out;
  for (const Record& r : records) {
    Stored s{std::string(r.body.view()), {}};
    for (const auto& a : r.attributes) s.headers[a.name] = a.value;
    out.push_back(std::move(s));
  }
  reader->ack(records);
  return out;
}

}  // namespace nanofaas::test
