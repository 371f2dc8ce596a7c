#pragma once

// The C++ Actor Framework (CAF 0.17, Debian's libcaf-dev) as a peer of nanofaas: an actor is
// CAF's unit of isolated state and serial execution, the nearest thing it has to a function.
// Every workload runs the same work as nanofaas' (echo of `payload()` for request/response,
// `trivial_task` for fire-and-forget) on an actor system with 2 scheduler threads, warmed up.
// Without CAF at build time (scripts/setup.sh bench installs it) every function returns 0.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#ifdef NANOFAAS_BENCH_WITH_CAF
#include <malloc.h>
#include <caf/all.hpp>
#endif

#include "isolation.hpp"
#include "workloads.hpp"

namespace bench {

#ifdef NANOFAAS_BENCH_WITH_CAF
inline constexpr bool have_caf = true;

/// An actor system with `threads` scheduler threads (work stealing, CAF's default). CAF 0.17
/// names the setting "scheduler.max-threads" (0.18 added the "caf." prefix; 0.17 refuses it).
struct CafRuntime {
  explicit CafRuntime(std::size_t threads) : system(configured(config, threads)) {}
  caf::actor_system_config config;
  caf::actor_system system;

 private:
  static caf::actor_system_config& configured(caf::actor_system_config& c, std::size_t threads) {
    c.set("scheduler.max-threads", threads);
    return c;
  }
};

/// An actor that replies with its request (nanofaas' `echo`).
inline caf::behavior caf_echo() {
  return {[](const std::string& in) { return in; }};
}

/// Sync request/response from a plain thread: a `scoped_actor` sends `payload()` to an echo
/// actor with `request(...).receive(...)` and waits for the reply. 2 scheduler threads.
inline DurationHistogram caf_request(int n) {
  CafRuntime rt(2);
  auto echo = rt.system.spawn(caf_echo);
  caf::scoped_actor self{rt.system};
  const std::string in = payload();
  return time_calls(n, [&] {
    self->request(echo, caf::infinite, in)
        .receive(
            [](const std::string& out) {
              asm volatile("" : : "r"(out.data()) : "memory");
            },
            [](caf::error&) { std::abort(); });
  });
}

/// Fire-and-forget throughput (messages/s): `n` `anon_send`s from one producer thread,
/// round-robin to `actors` actors whose handler is `trivial_task`, until the last has run.
/// One actor runs one message at a time, so 1 actor uses one scheduler thread at a time
/// (nanofaas runs one function in several environments at once). 1000 messages warm up.
inline double caf_send_throughput(int n, int actors = 2, std::size_t threads = 2) {
  CafRuntime rt(threads);
  std::latch* current = nullptr;  // the mailbox enqueue publishes it to the actor
  std::vector<caf::actor> targets;
  for (int a = 0; a < actors; ++a) {
    targets.push_back(rt.system.spawn(
        [&current]() -> caf::behavior { return {[&current](int) { trivial_task(*current); }}; }));
  }
  auto run = [&](int count) {
    std::latch done(count);
    current = &done;
    const auto t0 = steady::now();
    for (int i = 0; i < count; ++i) {
      caf::anon_send(targets[static_cast<std::size_t>(i % actors)], i);
    }
    done.wait();
    return count / std::chrono::duration<double>(steady::now() - t0).count();
  };
  run(1000);
  return run(n);
}

/// Open-loop enqueue-to-start latency: `anon_send` of each event's index into a table of
/// load tickets (CAF 0.17 sends only announced types), alternating between 2 actors (one per
/// scheduler thread), each completing the ticket on arrival. The table is sized up front, so
/// an actor reads a ticket the mailbox handed over, never one being written.
inline OpenLoopResult caf_send_start_latency(const OpenLoop& schedule) {
  CafRuntime rt(2);
  std::vector<nanofaas::LoadTicket> tickets;
  tickets.reserve(static_cast<std::size_t>(schedule.events()) + 1024);
  std::vector<caf::actor> targets;
  for (int a = 0; a < 2; ++a) {
    targets.push_back(rt.system.spawn([&tickets]() -> caf::behavior {
      return {[&tickets](std::int64_t i) { tickets[static_cast<std::size_t>(i)].done(); }};
    }));
  }
  return drive_open_loop(schedule, [&targets, &tickets](nanofaas::LoadTicket ticket) {
    if (tickets.size() == tickets.capacity()) std::abort();  // sized for the schedule
    tickets.push_back(ticket);
    const auto i = static_cast<std::int64_t>(tickets.size() - 1);
    caf::anon_send(targets[static_cast<std::size_t>(i & 1)], i);
    return true;
  });
}

/// Fan-out/fan-in (completions/s for `seconds`): a scoped actor sends `payload()` to
/// `children` echo actors (`request` each, all in flight at once), then receives every
/// reply; one completion is one round of all children.
inline double caf_fanout_rate(int children, double seconds) {
  CafRuntime rt(2);
  std::vector<caf::actor> kids;
  for (int c = 0; c < children; ++c) kids.push_back(rt.system.spawn(caf_echo));
  caf::scoped_actor self{rt.system};
  const std::string in = payload();
  auto round = [&] {
    using Handle = decltype(self->request(kids[0], caf::infinite, in));
    std::vector<Handle> pending;
    pending.reserve(kids.size());
    for (const caf::actor& kid : kids) pending.push_back(self->request(kid, caf::infinite, in));
    for (Handle& h : pending) {
      h.receive([](const std::string&) {}, [](caf::error&) { std::abort(); });
    }
  };
  for (int i = 0; i < 100; ++i) round();
  int rounds = 0;
  const auto t0 = steady::now();
  const auto until = t0 + std::chrono::duration<double>(seconds);
  for (; steady::now() < until; ++rounds) round();
  return rounds / std::chrono::duration<double>(steady::now() - t0).count();
}

/// Isolation contrast: request/response latency to an echo actor for `seconds`, idle or while
/// another thread keeps `backlog` messages queued for a neighbour actor (`trivial_task`).
/// Actors have separate mailboxes but share the scheduler's 2 threads.
inline DurationHistogram caf_isolation(bool loaded, double seconds, int backlog) {
  std::atomic<int> in_flight{0};  // outlives the actor system, which drains the backlog
  CafRuntime rt(2);
  auto echo = rt.system.spawn(caf_echo);
  auto noisy = rt.system.spawn([&in_flight]() -> caf::behavior {
    return {[&in_flight](int) { neighbour_task(in_flight); }};
  });
  Flooder flooder(loaded, [&noisy, &in_flight, backlog] {
    if (in_flight.load(std::memory_order_relaxed) >= backlog) return;
    in_flight.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(noisy, 0);
  });
  caf::scoped_actor self{rt.system};
  const std::string in = payload();
  auto h = time_calls_for(seconds, [&] {
    self->request(echo, caf::infinite, in)
        .receive([](const std::string&) {}, [](caf::error&) { std::abort(); });
  });
  flooder.stop();
  return h;
}

/// Cold start peer: spawn a new echo actor and complete a first request/response with it
/// from a scoped actor (creation, first scheduling, one round trip), `n` times.
inline DurationHistogram caf_spawn_first_request(int n) {
  CafRuntime rt(2);
  caf::scoped_actor self{rt.system};
  const std::string in = payload();
  std::vector<caf::actor> keep;  // alive until the end, as nanofaas keeps its environments
  keep.reserve(static_cast<std::size_t>(n));
  DurationHistogram h;
  for (int i = 0; i < n; ++i) {
    const auto t0 = steady::now();
    keep.push_back(rt.system.spawn(caf_echo));
    self->request(keep.back(), caf::infinite, in)
        .receive([](const std::string&) {}, [](caf::error&) { std::abort(); });
    h.record(steady::now() - t0);
  }
  return h;
}

/// Resident memory per idle actor: RSS growth for `n` spawned echo actors that have each
/// handled one request (so each is initialised, like a warm environment).
inline double caf_bytes_per_idle_actor(int n) {
  CafRuntime rt(2);
  caf::scoped_actor self{rt.system};
  auto warm = rt.system.spawn(caf_echo);
  self->request(warm, caf::infinite, std::string("warm up"))
      .receive([](const std::string&) {}, [](caf::error&) { std::abort(); });
  std::vector<caf::actor> actors;
  actors.reserve(static_cast<std::size_t>(n));
  malloc_trim(0);  // free heap left by earlier workloads would hide this one's growth
  const long before = resident_bytes();
  for (int i = 0; i < n; ++i) actors.push_back(rt.system.spawn(caf_echo));
  for (const caf::actor& a : actors) {
    self->request(a, caf::infinite, std::string("x"))
        .receive([](const std::string&) {}, [](caf::error&) { std::abort(); });
  }
  const long after = resident_bytes();
  return static_cast<double>(after - before) / n;
}
#else
inline constexpr bool have_caf = false;

inline DurationHistogram caf_request(int) {
  return {};
}
inline double caf_send_throughput(int, int = 2, std::size_t = 2) {
  return 0;
}
inline OpenLoopResult caf_send_start_latency(const OpenLoop&) {
  return {};
}
inline double caf_fanout_rate(int, double) {
  return 0;
}
inline DurationHistogram caf_isolation(bool, double, int) {
  return {};
}
inline DurationHistogram caf_spawn_first_request(int) {
  return {};
}
inline double caf_bytes_per_idle_actor(int) {
  return 0;
}
#endif

}  // namespace bench
