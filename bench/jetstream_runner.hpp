#pragma once

// One run of nanofaas_bench_jetstream: a fresh stream filled with a run's messages, then
// consumer processes of one mode started together, timed and their counts collected.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jetstream_nats_server.hpp"
#include "jetstream_raw_client.hpp"
#include "nanofaas/jetstream.hpp"

namespace nanofaas::bench::jetstream {

struct Result {
  bool ok = false;
  double aggregate = 0;               // messages/s, all processes
  std::vector<double> per_process{};  // each one's share / the run's time
  double seconds = 0;
  std::uint64_t batches = 0;          // handler calls (floor: fetches) that counted
  std::uint64_t fetches = 0;          // fetch requests that brought messages, before the end
  std::uint64_t fetched = 0;          // messages they brought
  std::uint64_t asked = 0;            // messages they asked for
  std::uint64_t fetch_ns = 0;         // time spent in them
  std::uint64_t empty = 0;            // fetches that brought none
  std::uint64_t server_cpu_ns = 0;    // the server's CPU time during the run (0: not ours)
  std::uint64_t consumer_cpu_ns = 0;  // the consumers', together
};

struct Runner {
  const Server& server;
  std::string exe;
  std::filesystem::path dir;
  std::string url;
  Raw& raw;
  JetStream& js;
  std::uint64_t messages;
  int run = 0;

  /// Runs `mode` with `processes` consumer processes (not ok: a process failed, or the run
  /// took too long).
  Result measure(const std::string& mode, int processes);
};

}  // namespace nanofaas::bench::jetstream
