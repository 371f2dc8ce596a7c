// Event filter throughput: a 5-pattern FilterCriteria over ~150-byte JSON records, against the
// floor of parsing each record with simdjson on-demand and reading one field.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstddef>
#include <string>
#include <vector>

#include "filter_workload.hpp"
#include "nanofaas/filter.hpp"

namespace {

using bench::kRecords;

const nanofaas::FilterCriteria& five_patterns() {
  static const auto filter = nanofaas::FilterCriteria::compile(bench::kPatterns).value();
  return filter;
}

void set_counters(benchmark::State& state, const std::vector<std::string>& batch,
                  std::size_t matched) {
  std::size_t bytes = 0;
  for (const auto& r : batch) bytes += r.size();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["bytes_per_record"] = static_cast<double>(bytes) / batch.size();
  state.counters["matched_percent"] =
      100.0 * static_cast<double>(matched) / static_cast<double>(state.iterations());
}

// Records handed over with their spare capacity: parsed in place.
void BM_FilterPadded(benchmark::State& state) {
  const auto& filter = five_patterns();
  const auto batch = bench::filter_records(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const std::string& record = batch[i++ % kRecords];
    const bool m = filter.matches(record, record.capacity());
    benchmark::DoNotOptimize(m);
    matched += m;
  }
  set_counters(state, batch, matched);
}
BENCHMARK(BM_FilterPadded)->Arg(0)->Arg(50)->Arg(100);

// Records without a stated capacity: copied into the thread's padded buffer first.
void BM_FilterCopied(benchmark::State& state) {
  const auto& filter = five_patterns();
  const auto batch = bench::filter_records(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const bool m = filter.matches(batch[i++ % kRecords]);
    benchmark::DoNotOptimize(m);
    matched += m;
  }
  set_counters(state, batch, matched);
}
BENCHMARK(BM_FilterCopied)->Arg(0)->Arg(50)->Arg(100);

// The floor: open each padded record with simdjson on-demand and read one field.
void BM_ParseOneField(benchmark::State& state) {
  const auto batch = bench::filter_records(50);
  simdjson::ondemand::parser parser;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& record = batch[i++ % kRecords];
    std::string_view type;
    auto doc = parser.iterate(record.data(), record.size(), record.capacity());
    const auto error = doc["type"].get_string().get(type);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(type);
  }
  set_counters(state, batch, 0);
}
BENCHMARK(BM_ParseOneField);

}  // namespace
