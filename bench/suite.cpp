// The benchmark suite: nanofaas beside its peers (a direct call, boost::asio::thread_pool,
// oneTBB, the C++ Actor Framework, one Boost.Fiber per task) on the same workloads, in one
// run, one CSV file per figure, plus ratios.md (nanofaas / best peer per workload). Every
// number is the median of repetitions (3 with --quick, 5 without), each repetition running
// every system one after another. scripts/bench.sh runs it and draws the figures.
//
//   nanofaas_bench_suite [--quick] OUTPUT_DIR

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "caf_peers.hpp"
#include "cold_start.hpp"
#include "distinct_handlers.hpp"
#include "fanout.hpp"
#include "isolation.hpp"
#include "peers.hpp"
#include "workloads.hpp"

namespace {

using bench::DurationHistogram;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double ns(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count());
}

/// What a run does, by mode.
struct Plan {
  bool quick = true;
  int reps = 3;
  std::vector<double> rates;  ///< open-loop offered loads, events/s
  std::chrono::milliseconds open_loop_measure{150};
  int events = 200000;     ///< fire-and-forget events per throughput run
  double seconds = 0.4;    ///< per closed-loop, time-bounded run
  int sync_calls = 5000;   ///< per sync latency run
  int cold_starts = 1000;  ///< per cold start run
  std::uint32_t idle_environments = 10000;
};

Plan plan_for(bool quick) {
  Plan p;
  p.quick = quick;
  if (quick) {
    p.rates = {50000, 100000, 200000, 400000};
  } else {
    p.reps = 5;
    p.rates = {25000, 50000, 100000, 200000, 400000, 800000};
    p.open_loop_measure = std::chrono::milliseconds(300);
    p.events = 500000;
    p.seconds = 1.0;
    p.sync_calls = 20000;
    p.cold_starts = 2000;
  }
  return p;
}

/// One comparison for ratios.md: nanofaas' value against the best peer's.
struct Ratio {
  std::string workload;
  std::string unit;
  bool higher_is_better;
  double nanofaas;
  std::map<std::string, double> peers;  ///< 0: not measured
};

std::vector<Ratio> ratios;

/// Opens OUTPUT_DIR/name for writing, or exits.
FILE* open_csv(const std::string& dir, const char* name) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "nanofaas_bench_suite: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::printf("writing %s\n", path.c_str());
  std::fflush(stdout);
  return f;
}

/// The CSV comment for a system this build could not measure.
void note_not_built(FILE* f, const char* name) {
  std::fprintf(f, "# %s: not built (scripts/setup.sh bench)\n", name);
}

/// Percentiles of several runs: the median of each percentile over the runs.
struct Percentiles {
  std::vector<double> p50, p99, p999;
  void add(const DurationHistogram& h) {
    p50.push_back(ns(h.p50()));
    p99.push_back(ns(h.p99()));
    p999.push_back(ns(h.percentile(0.999)));
  }
};

// a. Enqueue-to-start latency under an open loop at several offered loads.
void latency_vs_load(const Plan& plan, const std::string& dir) {
  struct System {
    const char* name;
    std::function<bench::OpenLoopResult(const bench::OpenLoop&)> run;
    bool present;
    bool peer;  // compared with nanofaas in ratios.md
  };
  const std::vector<System> systems{
      {"nanofaas 2 workers",
       [](const bench::OpenLoop& s) { return bench::async_start_latency(s, 2); }, true, false},
      {"nanofaas 1 worker",
       [](const bench::OpenLoop& s) { return bench::async_start_latency(s, 1); }, true, false},
      {"asio thread_pool(2)", bench::asio_post_start_latency, true, true},
      {"oneTBB arena(2) enqueue", bench::tbb_enqueue_start_latency, bench::have_tbb, true},
      {"CAF 2 threads anon_send", bench::caf_send_start_latency, bench::have_caf, true},
      {"floor: a spinning thread reads a ring", bench::handoff_floor_start_latency, true, false},
  };
  struct Cell {
    Percentiles p;
    std::vector<double> achieved;
  };
  std::vector<std::vector<Cell>> cells(systems.size(), std::vector<Cell>(plan.rates.size()));
  for (int r = 0; r < plan.reps; ++r) {
    for (std::size_t s = 0; s < systems.size(); ++s) {
      if (!systems[s].present) continue;
      for (std::size_t k = 0; k < plan.rates.size(); ++k) {
        const bench::OpenLoop schedule{.rate = plan.rates[k], .measure = plan.open_loop_measure};
        auto result = systems[s].run(schedule);
        cells[s][k].p.add(result.latency);
        cells[s][k].achieved.push_back(result.achieved_rate);
      }
    }
  }
  FILE* f = open_csv(dir, "latency_vs_load.csv");
  std::fprintf(f,
               "# enqueue-to-start latency, open loop (coordinated omission corrected), one "
               "producer, trivial handler, median of %d runs\n",
               plan.reps);
  std::fprintf(f, "system,offered_per_s,achieved_per_s,p50_ns,p99_ns,p999_ns\n");
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (!systems[s].present) {
      note_not_built(f, systems[s].name);
      continue;
    }
    for (std::size_t k = 0; k < plan.rates.size(); ++k) {
      const Cell& c = cells[s][k];
      std::fprintf(f, "%s,%.0f,%.0f,%.0f,%.0f,%.0f\n", systems[s].name, plan.rates[k],
                   median(c.achieved), median(c.p.p50), median(c.p.p99), median(c.p.p999));
    }
    std::fprintf(f, "\n\n");  // a gnuplot data block per system
  }
  std::fclose(f);
  for (std::size_t k = 0; k < plan.rates.size(); ++k) {
    for (int q = 0; q < 2; ++q) {
      Ratio ratio{"enqueue-to-start " + std::string(q == 0 ? "p50" : "p99") + " at " +
                      std::to_string(static_cast<int>(plan.rates[k] / 1000)) + "k events/s",
                  "µs",
                  false,
                  0,
                  {}};
      auto value = [&](std::size_t s) {
        return median(q == 0 ? cells[s][k].p.p50 : cells[s][k].p.p99) / 1000;
      };
      ratio.nanofaas = value(0);
      for (std::size_t s = 0; s < systems.size(); ++s) {
        if (systems[s].peer) ratio.peers[systems[s].name] = systems[s].present ? value(s) : 0;
      }
      ratios.push_back(ratio);
    }
  }
}

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

/// `text` as the whole of a CSV comment line.
std::string comment_line(const std::string& text) {
  return "# " + text + "\n";
}

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
          {"asio thread_pool", [n](int k) { return bench::asio_distinct_throughput(n, k); }, true},
          {"oneTBB task_group", [n](int k) { return bench::tbb_distinct_throughput(n, k); },
           bench::have_tbb},
          {"CAF anon_send", [n](int k) { return bench::caf_send_throughput(n, k); },
           bench::have_caf},
      },
      "function(s)");
}

// d. Fan-out/fan-in of 16 children.
void fanout(const Plan& plan, const std::string& dir) {
  const int children = 16;
  const double seconds = plan.seconds;
  struct System {
    const char* name;
    std::function<double()> run;
    bool present;
  };
  const std::vector<System> systems{
      {"nanofaas invoke_async x16 + latch",
       [=] { return bench::nanofaas_fanout_async(children, seconds); }, true},
      {"nanofaas handler with 16 nested invokes",
       [=] { return bench::nanofaas_fanout_nested(children, seconds); }, true},
      {"asio post x16 + latch", [=] { return bench::asio_fanout(children, seconds); }, true},
      {"oneTBB task_group x16", [=] { return bench::tbb_fanout(children, seconds); },
       bench::have_tbb},
      {"CAF request to 16 actors", [=] { return bench::caf_fanout_rate(children, seconds); },
       bench::have_caf},
  };
  std::vector<std::vector<double>> rates(systems.size());
  for (int r = 0; r < plan.reps; ++r) {
    for (std::size_t s = 0; s < systems.size(); ++s) {
      if (systems[s].present) rates[s].push_back(systems[s].run());
    }
  }
  FILE* f = open_csv(dir, "fanout.csv");
  std::fprintf(f,
               "# fan-out/fan-in: a parent starts %d children (trivial work) and waits for all; "
               "one parent at a time, %.1f s per run, 2 worker threads; median of %d runs\n",
               children, seconds, plan.reps);
  std::fprintf(f, "system,children,completions_per_s,children_per_s\n");
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (!systems[s].present) {
      note_not_built(f, systems[s].name);
      continue;
    }
    const double m = median(rates[s]);
    std::fprintf(f, "%s,%d,%.0f,%.0f\n", systems[s].name, children, m, m * children);
  }
  std::fclose(f);
  Ratio ratio{"fan-out/fan-in of 16, best nanofaas form",
              "k completions/s",
              true,
              std::max(median(rates[0]), median(rates[1])) / 1e3,
              {}};
  for (std::size_t s = 2; s < systems.size(); ++s) {
    ratio.peers[systems[s].name] = median(rates[s]) / 1e3;
  }
  ratios.push_back(ratio);
}

// e. Isolation: a reserved function's sync latency, idle and beside a flooding neighbour.
void isolation(const Plan& plan, const std::string& dir) {
  const int backlog = 1000;
  const double seconds = plan.seconds;
  struct System {
    const char* name;
    std::function<DurationHistogram(bool loaded)> run;
    bool present;
  };
  const std::vector<System> systems{
      {"nanofaas reserved function",
       [=](bool loaded) { return bench::nanofaas_isolation(loaded, seconds, backlog); }, true},
      {"asio thread_pool shared",
       [=](bool loaded) { return bench::asio_isolation(loaded, seconds, backlog); }, true},
      {"CAF actor (shared scheduler)",
       [=](bool loaded) { return bench::caf_isolation(loaded, seconds, backlog); },
       bench::have_caf},
  };
  std::vector<Percentiles> idle(systems.size()), loaded(systems.size());
  for (int r = 0; r < plan.reps; ++r) {
    for (std::size_t s = 0; s < systems.size(); ++s) {
      if (!systems[s].present) continue;
      idle[s].add(systems[s].run(false));
      loaded[s].add(systems[s].run(true));
    }
  }
  FILE* f = open_csv(dir, "isolation.csv");
  std::fprintf(f,
               "# sync request/response latency of one function, idle and while a neighbour "
               "keeps %d trivial events queued on the same 2 workers; %.1f s per run; median "
               "of %d runs; oneTBB: no equivalent measured\n",
               backlog, seconds, plan.reps);
  std::fprintf(f, "system,idle_p50_ns,idle_p99_ns,loaded_p50_ns,loaded_p99_ns\n");
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (!systems[s].present) {
      note_not_built(f, systems[s].name);
      continue;
    }
    std::fprintf(f, "%s,%.0f,%.0f,%.0f,%.0f\n", systems[s].name, median(idle[s].p50),
                 median(idle[s].p99), median(loaded[s].p50), median(loaded[s].p99));
  }
  std::fclose(f);
  for (int q = 0; q < 2; ++q) {
    Ratio ratio{
        std::string("isolation: sync ") + (q == 0 ? "p50" : "p99") + " beside a flooding neighbour",
        "µs",
        false,
        median(q == 0 ? loaded[0].p50 : loaded[0].p99) / 1000,
        {}};
    for (std::size_t s = 1; s < systems.size(); ++s) {
      ratio.peers[systems[s].name] =
          systems[s].present ? median(q == 0 ? loaded[s].p50 : loaded[s].p99) / 1000 : 0;
    }
    ratio.peers["oneTBB"] = 0;
    ratios.push_back(ratio);
  }
}

// f. Sync request/response, cold start, memory per idle environment.
void sync_cold_memory(const Plan& plan, const std::string& dir) {
  auto engine = bench::echo_engine(2);
  boost::asio::thread_pool pool(2);
  Percentiles direct, sync, nested, asio, caf;
  Percentiles cold_nested, cold_plain, cold_caf;
  std::vector<double> per_env, per_actor;
  for (int r = 0; r < plan.reps; ++r) {
    direct.add(bench::direct_call(plan.sync_calls));
    sync.add(bench::sync_invoke(engine, plan.sync_calls));
    nested.add(bench::nested_invoke(engine, plan.sync_calls));
    asio.add(bench::asio_pool_future(pool, plan.sync_calls));
    if (bench::have_caf) caf.add(bench::caf_request(plan.sync_calls));
    cold_nested.add(bench::cold_start(plan.cold_starts, 8));
    cold_plain.add(bench::cold_start_plain_thread(plan.cold_starts));
    if (bench::have_caf) cold_caf.add(bench::caf_spawn_first_request(plan.cold_starts));
    per_env.push_back(bench::bytes_per_idle_environment(plan.idle_environments));
    if (bench::have_caf) {
      per_actor.push_back(
          bench::caf_bytes_per_idle_actor(static_cast<int>(plan.idle_environments)));
    }
  }
  FILE* f = open_csv(dir, "sync_latency.csv");
  std::fprintf(f,
               "# sync request/response, echo of a 77-byte JSON, caller on a plain thread "
               "(nested: in a handler), 2 workers, %d calls per run, median of %d runs\n",
               plan.sync_calls, plan.reps);
  std::fprintf(f, "system,p50_ns,p99_ns,p999_ns\n");
  const std::pair<const char*, const Percentiles*> rows[] = {
      {"direct call (floor)", &direct},
      {"nanofaas invoke", &sync},
      {"nanofaas nested invoke", &nested},
      {"asio thread_pool post + future", &asio},
      {"CAF request/receive", bench::have_caf ? &caf : nullptr},
  };
  for (const auto& [name, p] : rows) {
    if (p == nullptr) {
      note_not_built(f, name);
      continue;
    }
    std::fprintf(f, "%s,%.0f,%.0f,%.0f\n", name, median(p->p50), median(p->p99), median(p->p999));
  }
  std::fclose(f);
  f = open_csv(dir, "cold_start_memory.csv");
  std::fprintf(f, "# median of %d runs; %d cold starts per run; memory: RSS growth / %u\n",
               plan.reps, plan.cold_starts, plan.idle_environments);
  std::fprintf(f, "system,metric,p50,p99,unit\n");
  std::fprintf(f, "nanofaas nested call to a new function,cold start,%.0f,%.0f,ns\n",
               median(cold_nested.p50), median(cold_nested.p99));
  std::fprintf(f, "nanofaas plain-thread call to a new function,cold start,%.0f,%.0f,ns\n",
               median(cold_plain.p50), median(cold_plain.p99));
  if (bench::have_caf) {
    std::fprintf(f, "CAF spawn + first request,cold start,%.0f,%.0f,ns\n", median(cold_caf.p50),
                 median(cold_caf.p99));
  }
  std::fprintf(f, "# asio thread_pool, oneTBB: no equivalent (no per-function environment)\n");
  std::fprintf(f, "nanofaas idle warm environment,memory,%.0f,,bytes\n", median(per_env));
  if (bench::have_caf) {
    std::fprintf(f, "CAF idle actor,memory,%.0f,,bytes\n", median(per_actor));
  }
  std::fclose(f);
  for (int q = 0; q < 2; ++q) {
    auto pick = [q](const Percentiles& p) { return median(q == 0 ? p.p50 : p.p99) / 1000; };
    ratios.push_back({std::string("sync request/response ") + (q == 0 ? "p50" : "p99"),
                      "µs",
                      false,
                      pick(sync),
                      {{"asio thread_pool post + future", pick(asio)},
                       {"CAF request/receive", bench::have_caf ? pick(caf) : 0}}});
  }
  ratios.push_back(
      {"cold start p50 from a plain thread (CAF: spawn + first request)",
       "µs",
       false,
       median(cold_plain.p50) / 1000,
       {{"CAF", bench::have_caf ? median(cold_caf.p50) / 1000 : 0}, {"asio thread_pool", 0}}});
  ratios.push_back(
      {"memory per idle environment (CAF: per idle actor)",
       "KiB",
       false,
       median(per_env) / 1024,
       {{"CAF", bench::have_caf ? median(per_actor) / 1024 : 0}, {"asio thread_pool", 0}}});
}

/// A value for the table: 3 significant digits, no exponent.
std::string shown(double v) {
  char text[32];
  std::snprintf(text, sizeof text,
                v >= 100  ? "%.0f"
                : v >= 10 ? "%.1f"
                : v >= 1  ? "%.2f"
                          : "%.3f",
                v);
  return text;
}

void write_ratios(const Plan& plan, const std::string& dir, const std::string& command) {
  FILE* f = open_csv(dir, "ratios.md");
  std::fprintf(f,
               "| workload | unit | nanofaas | best peer | peer value | nanofaas / best peer |\n");
  std::fprintf(f, "|---|---|---:|---|---:|---:|\n");
  for (const Ratio& r : ratios) {
    const std::pair<const std::string, double>* best = nullptr;
    std::string missing;
    for (const auto& peer : r.peers) {
      if (peer.second <= 0) {
        missing += missing.empty() ? "" : ", ";
        missing += peer.first;
        continue;
      }
      if (best == nullptr ||
          (r.higher_is_better ? peer.second > best->second : peer.second < best->second)) {
        best = &peer;
      }
    }
    if (best == nullptr) {
      std::fprintf(f, "| %s | %s | %s | no equivalent | | |\n", r.workload.c_str(), r.unit.c_str(),
                   shown(r.nanofaas).c_str());
      continue;
    }
    const double ratio = r.nanofaas / best->second;
    const bool better = r.higher_is_better ? ratio > 1 : ratio < 1;
    std::fprintf(f, "| %s | %s | %s | %s | %s | %.2f (%s)%s%s |\n", r.workload.c_str(),
                 r.unit.c_str(), shown(r.nanofaas).c_str(), best->first.c_str(),
                 shown(best->second).c_str(), ratio, better ? "nanofaas better" : "peer better",
                 missing.empty() ? "" : "; no equivalent: ", missing.c_str());
  }
  utsname u{};
  uname(&u);
  std::fprintf(f,
               "\nnanofaas / best peer: for throughput, above 1 means nanofaas is faster; for "
               "latency and memory, below 1 means nanofaas is lower. The direct call (floor) is "
               "not a peer. %s per workload, every system measured one after another in each "
               "repetition. Compiler: GCC %s; kernel %s %s; command: `%s`.\n",
               plan.quick ? "Median of 3 repetitions (--quick)" : "Median of 5 repetitions",
               __VERSION__, u.sysname, u.release, command.c_str());
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string dir;
  std::string only;
  std::string command = argv[0];
  for (int i = 1; i < argc; ++i) {
    command += ' ';
    command += argv[i];
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
      command += ' ';
      command += only;
    } else if (argv[i][0] != '-' && dir.empty()) {
      dir = argv[i];
    } else {
      dir.clear();
      break;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr,
                 "usage: nanofaas_bench_suite [--quick] [--only FIGURE] OUTPUT_DIR\n"
                 "figures: latency workers functions fanout isolation sync\n");
    return 2;
  }
  const Plan plan = plan_for(quick);
  const std::pair<const char*, void (*)(const Plan&, const std::string&)> figures[] = {
      {"sync", sync_cold_memory},
      {"workers", throughput_vs_workers},
      {"functions", throughput_vs_functions},
      {"fanout", fanout},
      {"isolation", isolation},
      {"latency", latency_vs_load},
  };
  for (const auto& [name, run] : figures) {
    if (!only.empty() && only != name) continue;
    const auto t0 = bench::steady::now();
    std::printf("== %s\n", name);
    std::fflush(stdout);
    run(plan, dir);
    std::printf("   %.1f s\n", std::chrono::duration<double>(bench::steady::now() - t0).count());
  }
  write_ratios(plan, dir, command);
  return 0;
}
