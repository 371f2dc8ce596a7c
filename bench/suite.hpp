#pragma once

// What the figures of the benchmark suite share: the plan of a run, the ratios gathered for
// ratios.md, and the CSV helpers. Each figure has a file of its own (suite_*.cpp); suite.cpp
// runs them.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "nanofaas/metrics.hpp"

namespace bench::suite {

using nanofaas::DurationHistogram;

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

/// The plan of a --quick run, or of a full one.
Plan plan_for(bool quick);

/// One comparison for ratios.md: nanofaas' value against the best peer's.
struct Ratio {
  std::string workload;
  std::string unit;
  bool higher_is_better;
  double nanofaas;
  std::map<std::string, double> peers;  ///< 0: not measured
};

/// The ratios measured so far, in the order the figures ran, for ratios.md.
extern std::vector<Ratio> ratios;

/// The median of `v` (0 when empty).
double median(std::vector<double> v);
/// `d` in nanoseconds.
double ns(std::chrono::nanoseconds d);
/// Opens OUTPUT_DIR/name for writing, or exits.
FILE* open_csv(const std::string& dir, const char* name);
/// The CSV comment for a system this build could not measure.
void note_not_built(FILE* f, const char* name);
/// `text` as the whole of a CSV comment line.
std::string comment_line(const std::string& text);

/// Percentiles of several runs: the median of each percentile over the runs.
struct Percentiles {
  std::vector<double> p50, p99, p999;
  void add(const DurationHistogram& h) {
    p50.push_back(ns(h.p50()));
    p99.push_back(ns(h.p99()));
    p999.push_back(ns(h.percentile(0.999)));
  }
};

// The figures: each runs its workloads plan.reps times, writes its CSV file(s) to `dir` and
// adds its ratios.
void latency_vs_load(const Plan& plan, const std::string& dir);
void throughput_vs_workers(const Plan& plan, const std::string& dir);
void throughput_vs_functions(const Plan& plan, const std::string& dir);
void fanout(const Plan& plan, const std::string& dir);
void isolation(const Plan& plan, const std::string& dir);
void sync_cold_memory(const Plan& plan, const std::string& dir);

/// Writes ratios.md: nanofaas against the best peer, per workload, and how it was measured.
void write_ratios(const Plan& plan, const std::string& dir, const std::string& command);

}  // namespace bench::suite
