// Figure e of the suite: a reserved function's sync latency, idle and beside a flooding
// neighbour.

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "caf_peers.hpp"
#include "isolation.hpp"
#include "suite.hpp"

namespace bench::suite {

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

}  // namespace bench::suite
