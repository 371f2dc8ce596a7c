// Figure a of the suite: enqueue-to-start latency against the offered load.

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "caf_peers.hpp"
#include "peers.hpp"
#include "suite.hpp"
#include "workloads.hpp"

namespace bench::suite {

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

}  // namespace bench::suite
