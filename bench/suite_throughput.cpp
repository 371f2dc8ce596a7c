// Figures b and c of the suite: fire-and-forget throughput against worker threads and against
// distinct functions.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "caf_peers.hpp"
#include "distinct_handlers.hpp"
#include "peers.hpp"
#include "suite.hpp"
#include "workloads.hpp"

namespace bench::suite {

namespace {

/// One system of a fire-and-forget throughput sweep: events/s at one value of the parameter.
struct ThroughputSystem {
  const char* name;
  std::function<double(int)> run;
  bool present;
};

/// Runs every present system at every value of a swept parameter (the CSV column `param`),
/// each repetition over all systems in turn; writes the medians to `file` under `comment`
/// (whole `#` lines) and adds a ratio per value, "fire-and-forget throughput, V `suffix`".
/// The first system is nanofaas.
void throughput_sweep(const Plan& plan, const std::string& dir, const char* file,
                      const std::string& comment, const char* param, const std::vector<int>& values,
                      const std::vector<ThroughputSystem>& systems, const char* suffix) {
  std::vector<std::vector<std::vector<double>>> rates(
      systems.size(), std::vector<std::vector<double>>(values.size()));
  for (int r = 0; r < plan.reps; ++r) {
    for (std::size_t s = 0; s < systems.size(); ++s) {
      if (!systems[s].present) continue;
      for (std::size_t k = 0; k < values.size(); ++k) {
        rates[s][k].push_back(systems[s].run(values[k]));
      }
    }
  }
  FILE* f = open_csv(dir, file);
  std::fputs(comment.c_str(), f);
  std::fprintf(f, "system,%s,events_per_s\n", param);
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (!systems[s].present) {
      note_not_built(f, systems[s].name);
      continue;
    }
    for (std::size_t k = 0; k < values.size(); ++k) {
      std::fprintf(f, "%s,%d,%.0f\n", systems[s].name, values[k], median(rates[s][k]));
    }
    std::fprintf(f, "\n\n");
  }
  std::fclose(f);
  for (std::size_t k = 0; k < values.size(); ++k) {
    Ratio ratio{"fire-and-forget throughput, " + std::to_string(values[k]) + " " + suffix,
                "M events/s",
                true,
                median(rates[0][k]) / 1e6,
                {}};
    for (std::size_t s = 1; s < systems.size(); ++s) {
      ratio.peers[systems[s].name] = systems[s].present ? median(rates[s][k]) / 1e6 : 0;
    }
    ratios.push_back(ratio);
  }
}

}  // namespace

// b. Fire-and-forget throughput vs worker threads.
void throughput_vs_workers(const Plan& plan, const std::string& dir) {
  const int n = plan.events;
  std::vector<double> floor;
  std::vector<double> handoff;
  for (int r = 0; r < plan.reps; ++r) {
    floor.push_back(bench::direct_throughput(n));
    handoff.push_back(bench::handoff_floor_throughput(n));
  }
  std::string comment = comment_line(
      "fire-and-forget, " + std::to_string(n) +
      " trivial events, one producer thread; CAF: one actor per thread; oneTBB: the producer "
      "is one of the threads; median of " +
      std::to_string(plan.reps) + " runs");
  comment += comment_line("direct call on the producing thread (floor): " +
                          std::to_string(static_cast<long long>(median(floor))) + " events/s");
  comment += comment_line(
      "hand-over floor, one spinning thread reading a ring the producer fills (no engine): " +
      std::to_string(static_cast<long long>(median(handoff))) + " events/s");
  throughput_sweep(
      plan, dir, "throughput_vs_workers.csv", comment, "workers", {1, 2},
      {
          {"nanofaas",
           [n](int w) { return bench::async_throughput(n, 1, static_cast<std::uint32_t>(w)); },
           true},
          {"asio thread_pool",
           [n](int w) { return bench::asio_post_throughput(n, static_cast<std::size_t>(w)); },
           true},
          {"oneTBB task_group", [n](int w) { return bench::tbb_task_group_throughput(n, w); },
           bench::have_tbb},
          {"CAF anon_send",
           [n](int w) { return bench::caf_send_throughput(n, w, static_cast<std::size_t>(w)); },
           bench::have_caf},
          {"fiber per task", [n](int w) { return bench::fiber_per_task_throughput(n, w); }, true},
      },
      "worker(s)");
}

// c. Fire-and-forget throughput vs distinct functions (peers: distinct handlers, actors).
void throughput_vs_functions(const Plan& plan, const std::string& dir) {
  const int n = plan.events;
  const std::string comment = comment_line(
      "fire-and-forget, " + std::to_string(n) +
      " trivial events round-robin over N functions (peers: N distinct handler closures; CAF: "
      "N actors, 1 actor runs on one thread at a time), one producer, 2 threads; median of " +
      std::to_string(plan.reps) + " runs");
  throughput_sweep(
      plan, dir, "throughput_vs_functions.csv", comment, "functions", {1, 100, 10000},
      {
          {"nanofaas", [n](int k) { return bench::async_throughput(n, k); }, true},
          {"nanofaas by name",
           [n](int k) { return bench::async_throughput(n, k, 2, bench::Naming::name); }, true},
          {"asio thread_pool", [n](int k) { return bench::asio_distinct_throughput(n, k); }, true},
          {"oneTBB task_group", [n](int k) { return bench::tbb_distinct_throughput(n, k); },
           bench::have_tbb},
          {"CAF anon_send", [n](int k) { return bench::caf_send_throughput(n, k); },
           bench::have_caf},
      },
      "function(s)");
}

}  // namespace bench::suite
