#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace soak {

/// The command line of the soak: `nanofaas_soak DURATION [--seed N] [--events N] ...`.
struct SoakOptions {
  /// Seconds the load is spread over; 0 runs as fast as the engine takes it.
  double duration_seconds = 0;
  std::uint64_t seed = 0;
  /// Asynchronous events to have accepted (the host's and the handlers' invoke_async), and
  /// queue messages to send through the mapped queues. Unset: 10,000 a second of the
  /// duration, and at least a million.
  std::uint64_t events = 0;
  std::uint64_t records = 0;
  /// Functions invoked asynchronously (besides the audit and mapped functions).
  std::uint32_t functions = 300;
  /// Standard queues with mappings (FIFO queues and slow-window queues come on top).
  std::uint32_t queues = 16;
  /// Warm-up volume as a fraction of the main run's (at least a floor of its own).
  double warmup_fraction = 0.1;
  /// Allowed growth, from the warm-up to the end, of heap bytes in use and of resident memory
  /// (both after malloc_trim, with every engine, queue and thread of the runs gone). What may
  /// stay: the main thread's own pool of freed events (up to 256) and the pages the heap's
  /// fragmentation keeps resident. A leak of 5 bytes per event and message fails the heap
  /// check over a million of each.
  std::uint64_t heap_tolerance_bytes = 8ull << 20;
  std::uint64_t rss_tolerance_bytes = 16ull << 20;
  /// Gives up (a failure) when the volume is not done by then.
  double max_seconds = 0;
};

/// Parses argv; on a bad command line prints the usage and returns nothing.
std::optional<SoakOptions> parse_options(int argc, char** argv);

}  // namespace soak
