// Instructions per operation on the hot paths, for scripts/instruction_gate.sh: run under
// `valgrind --tool=callgrind --instr-atstart=no`, which counts only between the start and
// stop requests below. Spinning is off so that the count does not depend on timing.
//
// usage: nanofaas_bench_icount sync|nested|cold|async|spread|batch|filter COUNT
//        [metrics-off|traced|default]
//   sync, nested, async and spread take a "-handle" suffix: they call through FunctionHandles
//   resolved beforehand instead of by name;
//   metrics-off: `EngineConfig::metrics` false; traced: a span exporter (a per-thread sum);
//   default: the default configuration (2 workers that spin), to profile natively;
//   async: per `invoke_async` event, the producer and the worker together;
//   spread: the same, round-robin over 10,000 functions;
//   batch: per record through a queue mapping at batch size 100 (COUNT x 100 records);
//   filter: per padded record through five patterns, half of the records matching.

#include <valgrind/callgrind.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "filter_workload.hpp"
#include "nanofaas/filter.hpp"
#include "workloads.hpp"

namespace {

nanofaas::Engine quiet_engine(std::string_view variant) {
  nanofaas::EngineConfig config{.workers = 1,
                                .idle_spin = std::chrono::nanoseconds(0),
                                .caller_spin = std::chrono::nanoseconds(0)};
  if (variant == "metrics-off") config.metrics = false;
  if (variant == "default") config = {};  // 2 workers that spin: for profiling, not counting
  if (variant == "traced") {
    config.span_exporter = [](const nanofaas::Span& span) {
      thread_local std::uint64_t seen = 0;
      seen += span.span_id;
    };
  }
  auto engine = nanofaas::Engine::create(std::move(config)).value();
  if (!engine.add_function({.name = "echo"}, bench::echo)) std::abort();
  return engine;
}

/// Runs `op` `count` times inside a handler, counting only those runs.
template <class Op>
void in_handler(nanofaas::Engine& engine, int count, Op op) {
  if (!engine.add_function({.name = "driver", .timeout = std::chrono::minutes(10)},
                           [count, op](const nanofaas::Event&, nanofaas::Context& ctx) {
                             op(ctx, -1);  // warm-up
                             CALLGRIND_START_INSTRUMENTATION;
                             for (int i = 0; i < count; ++i) op(ctx, i);
                             CALLGRIND_STOP_INSTRUMENTATION;
                             return nanofaas::Response{};
                           })) {
    std::abort();
  }
  if (!engine.invoke("driver", "")) std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view variant = argc == 4 ? argv[3] : "";
  if ((argc != 3 && argc != 4) ||
      (argc == 4 && variant != "metrics-off" && variant != "traced" && variant != "default")) {
    std::fprintf(stderr,
                 "usage: %s sync|nested|cold|async|spread|batch|filter[-handle] COUNT "
                 "[metrics-off|traced|default]\n",
                 argv[0]);
    return 2;
  }
  std::string_view op = argv[1];
  const bool by_handle = op.ends_with("-handle");
  if (by_handle) op.remove_suffix(std::string_view("-handle").size());
  const int count = std::atoi(argv[2]);
  const std::string payload = bench::payload();
  auto engine = quiet_engine(variant);
  const nanofaas::FunctionHandle echo = engine.resolve("echo").value();
  if (op == "sync") {
    for (int i = 0; i < 100; ++i) (void)engine.invoke("echo", payload);
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < count; ++i) {
      if (!(by_handle ? engine.invoke(echo, payload) : engine.invoke("echo", payload))) {
        std::abort();
      }
    }
    CALLGRIND_STOP_INSTRUMENTATION;
  } else if (op == "nested") {
    in_handler(engine, count, [&payload, &echo, by_handle](nanofaas::Context& ctx, int) {
      if (!(by_handle ? ctx.invoke(echo, payload) : ctx.invoke("echo", payload))) std::abort();
    });
  } else if (op == "cold") {
    for (int i = 0; i <= count; ++i) {
      std::string name = "cold";
      name += std::to_string(i);
      if (!engine.add_function({.name = name}, bench::echo)) std::abort();
    }
    in_handler(engine, count, [](nanofaas::Context& ctx, int i) {
      std::string name = "cold";
      name += std::to_string(i < 0 ? 0 : i + 1);
      if (!ctx.invoke(name, "x")) std::abort();
    });
  } else if (op == "async") {
    std::atomic<std::latch*> counting{nullptr};
    if (!engine.add_function({.name = "sink"}, [&counting](const nanofaas::Event&) {
          counting.load(std::memory_order_relaxed)->count_down();
          return nanofaas::Response{};
        })) {
      std::abort();
    }
    // Warm-up: as many events first, so that events come from the engine's pool as they do
    // in a running service, rather than from malloc.
    std::latch warm(count);
    counting = &warm;
    for (int i = 0; i < count; ++i) {
      if (!engine.invoke_async("sink", nanofaas::Payload::copy_of(payload))) std::abort();
    }
    warm.wait();
    const nanofaas::FunctionHandle sink = engine.resolve("sink").value();
    std::latch done(count);
    counting = &done;
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < count; ++i) {
      auto bytes = nanofaas::Payload::copy_of(payload);
      if (!(by_handle ? engine.invoke_async(sink, std::move(bytes))
                      : engine.invoke_async("sink", std::move(bytes)))) {
        std::abort();
      }
    }
    done.wait();
    CALLGRIND_STOP_INSTRUMENTATION;
  } else if (op == "spread") {
    // Events round-robin over 10,000 functions, each warm, as the suite's functions sweep.
    constexpr int functions = 10000;
    std::atomic<std::latch*> counting{nullptr};
    std::vector<std::string> names;
    for (int f = 0; f < functions; ++f) {
      names.emplace_back("f");
      names.back() += std::to_string(f);
      if (!engine.add_function({.name = names.back()}, [&counting](const nanofaas::Event&) {
            counting.load(std::memory_order_relaxed)->count_down();
            return nanofaas::Response{};
          })) {
        std::abort();
      }
    }
    std::latch warm(functions);
    counting = &warm;
    for (const std::string& name : names) {
      if (!engine.invoke_async(name, std::string_view("{}"))) std::abort();
    }
    warm.wait();
    std::vector<nanofaas::FunctionHandle> handles;
    for (const std::string& name : names) handles.push_back(engine.resolve(name).value());
    std::latch done(count);
    counting = &done;
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < count; ++i) {
      const auto f = static_cast<std::size_t>(i % functions);
      while (!(by_handle ? engine.invoke_async(handles[f], std::string_view("{}"))
                         : engine.invoke_async(names[f], std::string_view("{}")))) {
      }
    }
    done.wait();
    CALLGRIND_STOP_INSTRUMENTATION;
  } else if (op == "batch") {
    const std::uint64_t records = static_cast<std::uint64_t>(count) * 100;
    auto queue = nanofaas::Queue::create({.name = "icount", .max_messages = records}).value();
    for (std::uint64_t i = 0; i < records; ++i) {
      if (!queue->send(nanofaas::Payload::copy_of(payload))) std::abort();
    }
    std::latch done(1);
    std::uint64_t seen = 0;  // one worker: no race
    if (!engine.add_function({.name = "batch"}, [&](const nanofaas::Event& e) {
          seen += e.records().size();
          if (seen == records) done.count_down();
          return nanofaas::Response{};
        })) {
      std::abort();
    }
    nanofaas::EventSourceMappingConfig config{
        .source = queue, .function_name = "batch", .batch_size = 100};
    config.maximum_concurrency = 2;
    config.maximum_batching_window = std::chrono::seconds(1);  // needed over 10; batches fill
    CALLGRIND_START_INSTRUMENTATION;
    if (!engine.create_event_source_mapping(config)) std::abort();
    done.wait();
    CALLGRIND_STOP_INSTRUMENTATION;
  } else if (op == "filter") {
    const auto filter = nanofaas::FilterCriteria::compile(bench::kPatterns).value();
    const auto records = bench::filter_records(50);
    int matched = 0;
    for (const std::string& r : records) matched += filter.matches(r, r.capacity());  // warm
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < count; ++i) {
      const std::string& r = records[static_cast<std::size_t>(i) % records.size()];
      matched += filter.matches(r, r.capacity());
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    if (matched == 0) std::abort();
  } else {
    std::fprintf(stderr, "unknown operation '%.*s'\n", static_cast<int>(op.size()), op.data());
    return 2;
  }
  return 0;
}
