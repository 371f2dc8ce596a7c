// Google Benchmark suite: each workload beside its peers; p50/p99 reported as counters.

#include <benchmark/benchmark.h>

#include "workloads.hpp"

namespace {

void report(benchmark::State& state, const bench::DurationHistogram& h) {
  state.counters["p50_ns"] = static_cast<double>(h.p50().count());
  state.counters["p99_ns"] = static_cast<double>(h.p99().count());
  state.SetItemsProcessed(static_cast<std::int64_t>(h.count()));
}

constexpr int calls = 50000;

void BM_DirectCall(benchmark::State& state) {
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::direct_call(calls));
  report(state, all);
}
BENCHMARK(BM_DirectCall)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SyncInvoke(benchmark::State& state) {
  auto engine = bench::echo_engine(static_cast<std::uint32_t>(state.range(0)));
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::sync_invoke(engine, calls));
  report(state, all);
}
BENCHMARK(BM_SyncInvoke)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_AsioThreadPoolFuture(benchmark::State& state) {
  boost::asio::thread_pool pool(static_cast<std::size_t>(state.range(0)));
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::asio_pool_future(pool, calls));
  report(state, all);
}
BENCHMARK(BM_AsioThreadPoolFuture)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_NestedInvoke(benchmark::State& state) {
  auto engine = bench::echo_engine(2);
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::nested_invoke(engine, calls));
  report(state, all);
}
BENCHMARK(BM_NestedInvoke)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ColdStart(benchmark::State& state) {
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::cold_start(2000, static_cast<int>(state.range(0))));
  report(state, all);
}
BENCHMARK(BM_ColdStart)->Arg(8)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MemoryPerIdleEnvironment(benchmark::State& state) {
  double bytes = 0;
  for (auto _ : state) bytes = bench::bytes_per_idle_environment(10000);
  state.counters["bytes_per_env"] = bytes;
}
BENCHMARK(BM_MemoryPerIdleEnvironment)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
