// Parsing nanofaas_bench_jetstream's modes (jetstream_bench_settings.hpp).

#include "jetstream_bench_settings.hpp"

#include <cstdlib>

#include "jetstream_bench_shared.hpp"

namespace nanofaas::bench::jetstream {

Settings parse_mode(const std::string& mode) {
  Settings s;
  std::size_t from = 0;
  bool first = true;
  while (from <= mode.size()) {
    std::size_t to = mode.find('+', from);
    if (to == std::string::npos) to = mode.size();
    const std::string part = mode.substr(from, to - from);
    from = to + 1;
    if (first) {
      s.base = part;
      first = false;
      continue;
    }
    const auto eq = part.find('=');
    if (eq == std::string::npos) die("bad setting " + part);
    const std::string key = part.substr(0, eq);
    const auto value = std::strtoull(part.c_str() + eq + 1, nullptr, 10);
    if (key == "workers") {
      s.workers = static_cast<std::uint32_t>(value);
    } else if (key == "idle_spin_us") {
      s.idle_spin = std::chrono::microseconds(value);
    } else if (key == "prefetch") {
      s.prefetch = value;
    } else if (key == "concurrency") {
      s.concurrency = static_cast<std::uint32_t>(value);
    } else if (key == "max_in_flight") {
      s.max_in_flight = value;
    } else if (key == "max_ack_pending") {
      s.max_ack_pending = static_cast<std::uint32_t>(value);
    } else if (key == "fetch") {
      s.fetch = static_cast<int>(value);
    } else if (key == "events") {
      s.events = value != 0;
    } else {
      die("unknown setting " + key);
    }
  }
  if (s.base != "floor" && s.base != "queue" && s.base != "async") die("unknown mode " + mode);
  return s;
}

Names names_of(int run) {
  const std::string id = std::to_string(run);
  return {"BENCH" + id, "bench" + id};
}

}  // namespace nanofaas::bench::jetstream
