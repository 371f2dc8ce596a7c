// The cost of observability: sync and async invocations with metrics off, on (the default),
// and with a span exporter as well (rounds alternating, medians), and the heap an idle
// registered function costs.
// usage: nanofaas_bench_observability [ROUNDS] [SYNC_CALLS] [ASYNC_EVENTS] [FUNCTIONS]
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <string>
#include <vector>

#include "nanofaas/nanofaas.hpp"

namespace {

using steady = std::chrono::steady_clock;

struct Variant {
  const char* name;
  nanofaas::EngineConfig config;
};

nanofaas::Response echo(const nanofaas::Event& event, nanofaas::Context&) {
  return nanofaas::Response::ok(event.body());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Nanoseconds per synchronous invoke from a plain thread.
double sync_ns_per_call(const nanofaas::EngineConfig& config, int calls) {
  auto engine = nanofaas::Engine::create(config).value();
  if (!engine.add_function({.name = "echo"}, echo)) std::abort();
  const std::string payload = R"({"symbol":"ACME","qty":100})";
  for (int i = 0; i < calls / 10; ++i) (void)engine.invoke("echo", payload);
  const auto t0 = steady::now();
  for (int i = 0; i < calls; ++i) {
    if (!engine.invoke("echo", payload)) std::abort();
  }
  return std::chrono::duration<double, std::nano>(steady::now() - t0).count() / calls;
}

// Events per second from one producer thread to one function, until the last has run.
double async_events_per_s(const nanofaas::EngineConfig& config, int events) {
  auto engine = nanofaas::Engine::create(config).value();
  std::atomic<std::latch*> counting{nullptr};
  nanofaas::FunctionConfig function{.name = "sink"};
  function.async.max_queue_depth = static_cast<std::size_t>(events);
  if (!engine.add_function(function, [&counting](const nanofaas::Event&) {
        counting.load(std::memory_order_relaxed)->count_down();
        return nanofaas::Response{};
      })) {
    std::abort();
  }
  const auto send = [&engine](int n) {
    for (int i = 0; i < n; ++i) {
      while (!engine.invoke_async("sink", "{}")) {
      }
    }
  };
  std::latch warm(1000);
  counting = &warm;
  send(1000);
  warm.wait();
  std::latch done(events);
  counting = &done;
  const auto t0 = steady::now();
  send(events);
  done.wait();
  return events / std::chrono::duration<double>(steady::now() - t0).count();
}

// Heap bytes per registered function that never ran (mallinfo2's allocated bytes).
double heap_per_idle_function(int functions) {
  auto engine = nanofaas::Engine::create().value();
  std::vector<std::string> names;
  for (int i = 0; i < functions; ++i) names.push_back("idle" + std::to_string(100000 + i));
  malloc_trim(0);
  const std::size_t before = mallinfo2().uordblks;
  for (const auto& name : names) {
    if (!engine.add_function({.name = name}, echo)) std::abort();
  }
  const std::size_t after = mallinfo2().uordblks;
  return static_cast<double>(after - before) / functions;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const int sync_calls = argc > 2 ? std::atoi(argv[2]) : 200'000;
  const int async_events = argc > 3 ? std::atoi(argv[3]) : 500'000;
  const int functions = argc > 4 ? std::atoi(argv[4]) : 10'000;
  if (rounds < 1 || sync_calls < 10 || async_events < 1 || functions < 1) {
    std::fprintf(stderr, "usage: %s [ROUNDS] [SYNC_CALLS] [ASYNC_EVENTS] [FUNCTIONS]\n", argv[0]);
    return 2;
  }
  // First, while the heap holds nothing from the timed rounds.
  const double heap = heap_per_idle_function(functions);
  // A host's exporter hands spans to a queue of its own per thread; a per-thread count of
  // the span ids stands for that here.
  nanofaas::EngineConfig traced;
  traced.span_exporter = [](const nanofaas::Span& span) {
    thread_local std::uint64_t seen = 0;
    seen += span.span_id;
  };
  nanofaas::EngineConfig metrics_off;
  metrics_off.metrics = false;
  const std::vector<Variant> variants{
      {"metrics off", metrics_off},
      {"metrics on", {}},
      {"+ tracing", traced},
  };
  std::vector<std::vector<double>> sync(variants.size()), async(variants.size());
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t v = 0; v < variants.size(); ++v) {
      sync[v].push_back(sync_ns_per_call(variants[v].config, sync_calls));
      async[v].push_back(async_events_per_s(variants[v].config, async_events));
    }
  }
  // Each variant adds one thing to the one before: metrics, then a span exporter.
  std::printf("# medians of %d rounds, variants alternating; overhead against the row above\n",
              rounds);
  std::printf("%-12s %14s %9s %16s %9s\n", "variant", "sync ns/call", "overhead", "async events/s",
              "overhead");
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const double s = median(sync[v]);
    const double a = median(async[v]);
    const double sync_base = median(sync[v == 0 ? 0 : v - 1]);
    const double async_base = median(async[v == 0 ? 0 : v - 1]);
    std::printf("%-12s %14.0f %8.1f%% %16.0f %8.1f%%\n", variants[v].name, s,
                100.0 * (s / sync_base - 1.0), a, 100.0 * (async_base / a - 1.0));
  }
  std::printf("heap per idle registered function (%d functions): %.0f bytes\n", functions, heap);
  return 0;
}
