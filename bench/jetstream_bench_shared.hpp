#pragma once

// What nanofaas_bench_jetstream's runner and its consumer processes share: the mapped file of
// `Shared` and its `Slot`s, the counting of processed messages and of fetches, and failing.

#include <nats/nats.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace nanofaas::bench::jetstream {

constexpr int max_processes = 8;
constexpr std::size_t body_bytes = 100;
constexpr std::uint32_t batch = 100;

struct Slot {
  std::atomic<int> ready;               // set up, waiting for the start
  std::atomic<int> failed;              // gave up (the reason is on its stderr)
  std::atomic<std::uint64_t> counted;   // its share of the first `target` messages
  std::atomic<std::uint64_t> batches;   // handler calls (floor: fetches) that counted
  std::atomic<std::uint64_t> fetches;   // fetch requests that brought messages, before the end
  std::atomic<std::uint64_t> fetched;   // messages they brought
  std::atomic<std::uint64_t> asked;     // messages they asked for
  std::atomic<std::uint64_t> fetch_ns;  // time spent in them
  std::atomic<std::uint64_t> empty;     // fetches that brought none (timeouts, "no messages")
  std::atomic<std::uint64_t> cpu_ns;    // the process's CPU time from the start to the end
};

/// A file mapped by the runner and each consumer (zero-filled, then set up by the runner
/// before it starts them).
struct Shared {
  std::atomic<std::int64_t> start_ns;  // 0 until the start
  std::atomic<std::int64_t> end_ns;    // when the `target`-th message was processed
  std::atomic<int> stop;               // the consumers may exit
  std::atomic<std::uint64_t> total;    // processed by all (past `target` too)
  std::uint64_t target;
  std::array<Slot, max_processes> slots;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

/// The runner's server directory, stopped when it gives up (consumers: empty).
extern std::string stop_on_failure;
/// A consumer's slot: marked failed when it gives up, and where its fetches are counted (the
/// runner: null).
extern Slot* consumer_slot;
/// A consumer's shared state (the runner: null).
extern Shared* consumer_shared;

/// Reports `what`, marks the consumer's slot failed, stops the runner's server, and exits 1.
[[noreturn]] void die(const std::string& what);

/// Dies unless `s` is NATS_OK.
void check(natsStatus s, const char* what);

/// steady_clock is CLOCK_MONOTONIC: one time line for every process of the machine.
std::int64_t now_ns();

/// Maps the shared file at `path`; `create`: makes it (zero-filled) first.
Shared* map_shared(const std::string& path, bool create);

/// Counts `n` processed messages of consumer `slot`; the one that reaches the target ends the
/// run's clock.
void count(Shared& shared, Slot& slot, std::uint64_t n);

/// Counts, in the consumer's slot, a fetch that asked for `asked` messages, took `ns` and
/// ended with `s` (the runner, or after the end: nothing).
void count_fetch(natsStatus s, const natsMsgList& list, int asked, std::int64_t ns);

}  // namespace nanofaas::bench::jetstream
