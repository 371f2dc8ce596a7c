// Google Benchmark suite: each workload beside its peers; p50/p99 reported as counters.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <latch>
#include <string>
#include <vector>

#include "runtime/tick_clock.hpp"
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

// BM_SyncInvoke with a log sink: START, END and REPORT per call, text (0) or JSON (1), handed
// to the writer thread; the sink counts them. `dropped` is per call.
void BM_SyncInvokeLogged(benchmark::State& state) {
  std::atomic<std::uint64_t> lines{0};
  nanofaas::EngineConfig config;
  config.log_sink = [&lines](const nanofaas::LogRecord&) {
    lines.fetch_add(1, std::memory_order_relaxed);
  };
  config.logging.log_format =
      state.range(0) == 0 ? nanofaas::LogFormat::text : nanofaas::LogFormat::json;
  auto engine = bench::echo_engine(2, std::move(config));
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::sync_invoke(engine, calls));
  report(state, all);
  state.counters["dropped"] =
      static_cast<double>(engine.metrics().log_records_dropped) / static_cast<double>(all.count());
}
BENCHMARK(BM_SyncInvokeLogged)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

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

// Tracing on: the engine hands every span to an exporter that only counts it (the least a
// host's exporter does), beside BM_SyncInvoke and BM_NestedInvoke with tracing off.
nanofaas::Engine traced_echo_engine(std::atomic<std::uint64_t>& spans) {
  auto engine = nanofaas::Engine::create({.workers = 2,
                                          .span_exporter =
                                              [&spans](const nanofaas::Span&) {
                                                spans.fetch_add(1, std::memory_order_relaxed);
                                              }})
                    .value();
  if (!engine.add_function({.name = "echo"}, bench::echo)) std::abort();
  return engine;
}

void BM_SyncInvokeTraced(benchmark::State& state) {
  std::atomic<std::uint64_t> spans{0};
  auto engine = traced_echo_engine(spans);
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::sync_invoke(engine, calls));
  report(state, all);
}
BENCHMARK(BM_SyncInvokeTraced)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_NestedInvokeTraced(benchmark::State& state) {
  std::atomic<std::uint64_t> spans{0};
  auto engine = traced_echo_engine(spans);
  bench::DurationHistogram all;
  for (auto _ : state) all.merge(bench::nested_invoke(engine, calls));
  report(state, all);
}
BENCHMARK(BM_NestedInvokeTraced)->UseRealTime()->Unit(benchmark::kMillisecond);

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

/// One read of the steady clock, which every invocation pays for its duration (and every
/// asynchronous event once more for its age).
void BM_SteadyClockNow(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(bench::steady::now());
}
BENCHMARK(BM_SteadyClockNow);

/// The engine's own clock (the time-stamp counter where the kernel trusts it), which takes
/// the steady clock's place on the invocation path.
void BM_TickClockNow(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(nanofaas::detail::TickClock::now());
}
BENCHMARK(BM_TickClockNow);

/// Name lookup and validation (`dry_run`) round-robin over N functions: past the caller's
/// 64-entry cache, each call looks the name up in the engine's index.
void BM_DryRunAcrossFunctions(benchmark::State& state) {
  const auto functions = static_cast<int>(state.range(0));
  auto engine = nanofaas::Engine::create({.workers = 1}).value();
  std::vector<std::string> names;
  for (int f = 0; f < functions; ++f) {
    std::string name = "fn-";
    name += std::to_string(f);
    if (!engine.add_function({.name = name}, bench::echo)) std::abort();
    names.push_back(std::move(name));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    if (!engine.dry_run(names[i], "")) std::abort();
    i = i + 1 == names.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DryRunAcrossFunctions)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000);

/// The worker's side of an asynchronous event, alone: one worker drains a backlog of 6,000
/// queued events of one function (its environment taking each next event itself). The
/// first event holds the worker's thread while the backlog is queued; the clock runs from
/// its release until the last event ran. Time per iteration is per event; the counter
/// `producer_ns` is the producer's side, per `invoke_async` while the worker is held.
void BM_AsyncDrainPerEvent(benchmark::State& state) {
  constexpr int backlog = 6000;
  auto engine = nanofaas::Engine::create({.workers = 1}).value();
  std::atomic<std::latch*> counting{nullptr};
  std::atomic<std::latch*> gate{nullptr};
  nanofaas::FunctionConfig config{.name = "drain"};
  config.async.max_queue_depth = 2 * backlog;
  if (!engine.add_function(config, [&](const nanofaas::Event&) {
        if (std::latch* g = gate.exchange(nullptr)) g->wait();
        counting.load(std::memory_order_relaxed)->count_down();
        return nanofaas::Response();
      })) {
    std::abort();
  }
  std::latch warm(1000);
  counting = &warm;
  for (int i = 0; i < 1000; ++i) (void)engine.invoke_async("drain", "{}");
  warm.wait();
  double producer_ns = 0;
  for (auto _ : state) {
    std::latch hold(1);
    std::latch done(backlog + 1);
    counting = &done;
    gate = &hold;
    if (!engine.invoke_async("drain", "{}")) std::abort();
    while (gate.load() != nullptr) {  // the worker is now held in the first event
    }
    const auto queued = bench::steady::now();
    for (int i = 0; i < backlog; ++i) {
      if (!engine.invoke_async("drain", "{}")) std::abort();
    }
    const auto t0 = bench::steady::now();
    producer_ns += std::chrono::duration<double, std::nano>(t0 - queued).count() / backlog;
    hold.count_down();
    done.wait();
    state.SetIterationTime(std::chrono::duration<double>(bench::steady::now() - t0).count() /
                           backlog);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["producer_ns"] = producer_ns / static_cast<double>(state.iterations());
}
BENCHMARK(BM_AsyncDrainPerEvent)->UseManualTime()->Iterations(41)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
