// The suite's output: CSV files and their comments, and ratios.md.

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "suite.hpp"

namespace bench::suite {

std::vector<Ratio> ratios;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double ns(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count());
}

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

void note_not_built(FILE* f, const char* name) {
  std::fprintf(f, "# %s: not built (scripts/setup.sh bench)\n", name);
}

std::string comment_line(const std::string& text) {
  return "# " + text + "\n";
}

namespace {

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

}  // namespace

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

}  // namespace bench::suite
