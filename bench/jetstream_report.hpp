#pragma once

// nanofaas_bench_jetstream's report: the two tables (rates, and what the median runs fetched)
// of every mode and number of processes, from each repetition's results.

#include <map>
#include <string>
#include <vector>

#include "jetstream_runner.hpp"

namespace nanofaas::bench::jetstream {

/// results[mode][processes]: every repetition's, for each of `modes` and 1..`most` processes.
using Results = std::map<std::string, std::map<int, std::vector<Result>>>;

/// Prints the report of `reps` repetitions of `messages` messages each, that took `took` s.
void print_report(const Results& results, const std::vector<std::string>& modes, long long messages,
                  int reps, int most, double took);

}  // namespace nanofaas::bench::jetstream
