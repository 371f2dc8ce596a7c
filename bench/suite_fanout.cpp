// Figure d of the suite: fan-out/fan-in of 16 children.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#include "caf_peers.hpp"
#include "fanout.hpp"
#include "peers.hpp"
#include "suite.hpp"

namespace bench::suite {

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

}  // namespace bench::suite
