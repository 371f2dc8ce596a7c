#pragma once

// nanofaas_bench_jetstream's modes: a base (floor, queue, async) with settings, parsed from
// `base+key=value+...`, and the names (stream, subject prefix) of one run.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nanofaas/nanofaas.hpp"

namespace nanofaas::bench::jetstream {

struct Settings {
  std::string base;
  std::uint32_t workers = EngineConfig{}.workers;
  std::chrono::nanoseconds idle_spin = EngineConfig{}.idle_spin;
  std::size_t prefetch = JetStreamQueueConfig{}.prefetch;                 // queue
  std::uint32_t concurrency = 0;                                          // queue; 0: default
  std::size_t max_in_flight = JetStreamAsyncQueueConfig{}.max_in_flight;  // async
  std::uint32_t max_ack_pending = 0;  // the consumer's; 0: the server's default (1000)
  int fetch = 100;                    // floor: the batch of each fetch
  bool events = false;                // floor: read messages in the async queue's format
};

/// The settings of `mode`; dies on an unknown base or setting.
Settings parse_mode(const std::string& mode);

/// The names one run uses: its stream, the async events' subject prefix.
struct Names {
  std::string stream;
  std::string prefix;  // async: `<prefix>.sink.LATEST`
};

Names names_of(int run);

}  // namespace nanofaas::bench::jetstream
