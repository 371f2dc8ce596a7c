// The benchmark suite: nanofaas beside its peers (a direct call, boost::asio::thread_pool,
// oneTBB, the C++ Actor Framework, one Boost.Fiber per task) on the same workloads, in one
// run, one CSV file per figure, plus ratios.md (nanofaas / best peer per workload). Every
// number is the median of repetitions (3 with --quick, 5 without), each repetition running
// every system one after another. scripts/bench.sh runs it and draws the figures.
//
//   nanofaas_bench_suite [--quick] OUTPUT_DIR

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "suite.hpp"
#include "workloads.hpp"

namespace bench::suite {

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

}  // namespace bench::suite

using namespace bench::suite;

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
