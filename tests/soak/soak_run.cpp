#include "soak_run.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "async_checks.hpp"
#include "chaos.hpp"
#include "fleet.hpp"
#include "memory.hpp"
#include "nanofaas/engine.hpp"
#include "outcomes.hpp"
#include "payloads.hpp"
#include "queue_checks.hpp"
#include "queue_farm.hpp"
#include "traffic.hpp"

namespace soak {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

double mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

nanofaas::EngineConfig engine_config(Outcomes& outcomes) {
  nanofaas::EngineConfig config{.workers = 2};
  config.keep_alive = 500ms;
  // Throttled events come back within milliseconds, not Lambda's second to five minutes.
  config.async_throttle_backoff = 1ms;
  config.async_throttle_backoff_max = 20ms;
  config.async_spill = outcomes.spill_handler();
  return config;
}

/// Waits until the volume is done and the duration over (or the time is up); prints
/// progress now and then. False when the time ran out first.
bool wait_for_volume(const RunPlan& plan, const AsyncLedger& ledger,
                     const TrafficCounters& counters, steady::time_point start) {
  double next_report = 10;
  for (;;) {
    const double elapsed = seconds_since(start);
    const std::uint64_t events = ledger.accepted_count();
    const std::uint64_t records = counters.messages_sent.load();
    if (events >= plan.events && records >= plan.records && elapsed >= plan.duration_seconds) {
      return true;
    }
    if (elapsed > plan.max_seconds) return false;
    if (elapsed >= next_report) {
      std::printf(
          "  %s %6.0f s: %llu events accepted, %llu messages sent, RSS %.0f MiB, heap in use "
          "%.0f MiB\n",
          plan.label.c_str(), elapsed, static_cast<unsigned long long>(events),
          static_cast<unsigned long long>(records), mib(resident_bytes()),
          mib(heap_in_use_bytes()));
      std::fflush(stdout);
      next_report += 10;
    }
    std::this_thread::sleep_for(20ms);  // polling the volume, which nothing signals
  }
}

void print_chaos(const ChaosCounts& counts) {
  std::printf("chaos (done/refused):");
  for (std::size_t a = 0; a < chaos_action_count; ++a) {
    std::printf("%s %s %llu/%llu", a == 0 ? "" : ",",
                chaos_action_name(static_cast<ChaosAction>(a)),
                static_cast<unsigned long long>(counts.done[a]),
                static_cast<unsigned long long>(counts.refused[a]));
  }
  std::printf("\n");
}

void print_traffic(const TrafficCounters& c) {
  std::printf(
      "sync calls: %llu ok, %llu function errors, %llu engine errors; events refused by code:",
      static_cast<unsigned long long>(c.sync_ok.load()),
      static_cast<unsigned long long>(c.sync_function_errors.load()),
      static_cast<unsigned long long>(c.sync_engine_errors.load()));
  for (std::size_t code = 0; code < c.refused_by_code.size(); ++code) {
    if (const auto n = c.refused_by_code[code].load()) {
      std::printf(" %s %llu", std::string(lambda_name(static_cast<nanofaas::Errc>(code))).c_str(),
                  static_cast<unsigned long long>(n));
    }
  }
  std::printf("; sends refused by a full queue: %llu\n",
              static_cast<unsigned long long>(c.sends_refused_full.load()));
}

}  // namespace

void run_soak(const RunPlan& plan, AsyncLedger& ledger, MessageLedger& messages, Violations& v) {
  ledger.reset();
  messages.reset();
  std::mt19937_64 rng(plan.seed);
  const Fleet fleet = make_fleet(plan.functions, plan.seed);
  const HandlerWorld world{&ledger, &messages, &fleet};
  Outcomes outcomes(ledger);
  QueueFarm farm(plan.queues, fleet);
  TrafficCounters counters;
  std::optional<nanofaas::Engine> engine;
  {
    auto created = nanofaas::Engine::create(engine_config(outcomes));
    if (!created) throw std::runtime_error("Engine::create: " + created.error().message);
    engine.emplace(std::move(created).value());
  }
  register_fleet(*engine, fleet, world, outcomes);
  for (auto& q : farm.queues()) {
    while (!farm.create_mapping(*engine, q, rng)) {
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<bool> burst{false};
  const auto start = steady::now();
  const Traffic traffic{.engine = &*engine,
                        .fleet = &fleet,
                        .ledger = &ledger,
                        .messages = &messages,
                        .farm = &farm,
                        .counters = &counters,
                        .stop = &stop,
                        .burst = &burst,
                        .events = Pacer(plan.events, plan.duration_seconds, start),
                        .records = Pacer(plan.records, plan.duration_seconds, start)};
  Chaos chaos(*engine, fleet, outcomes, farm, mix(plan.seed, 400));
  std::vector<std::thread> threads;
  constexpr unsigned event_producers = 2;
  for (unsigned p = 0; p < event_producers; ++p) {
    threads.emplace_back([&traffic, p] { produce_events(traffic, p, event_producers); });
  }
  threads.emplace_back([&traffic] { produce_messages(traffic); });
  threads.emplace_back([&traffic] { call_synchronously(traffic); });
  threads.emplace_back([&] {
    while (!stop.load()) {
      chaos.step();
      std::this_thread::sleep_for(2ms);  // the rate of control-plane changes
    }
  });
  threads.emplace_back([&] {
    while (!stop.load()) {
      if (outcomes.drain_destination_queues() == 0) std::this_thread::sleep_for(2ms);
    }
  });

  const bool volume_done = wait_for_volume(plan, ledger, counters, start);
  if (!volume_done) v.add("the volume was not done within --max-seconds", plan.label);
  // Shutdown at a random moment of a burst at full speed (a backlog builds up), with the load
  // still running and a random drain.
  burst.store(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
  constexpr std::chrono::milliseconds drains[] = {0ms, 1ms, 5ms, 20ms, 100ms};
  const auto drain = drains[rng() % 5];
  const double load_seconds = seconds_since(start);
  const std::uint64_t peak_during = peak_resident_bytes();
  const auto shutdown_start = steady::now();
  engine->shutdown(drain);
  const double shutdown_ms = seconds_since(shutdown_start) * 1000;
  stop.store(true);
  for (auto& t : threads) t.join();
  outcomes.drain_destination_queues();
  v.expect_equal("destination queues empty after the drain", 0, outcomes.destination_queue_depth());
  v.expect_equal("records delivered to the callback of the other outcome", 0, outcomes.misrouted());
  v.expect_equal("synchronous results their behaviour cannot give", 0, counters.sync_unexpected);
  v.expect_equal("queue sends refused for another reason than a full queue", 0,
                 counters.send_errors);

  const auto metrics = engine->metrics();
  farm.collect_live_mappings(*engine);
  const AsyncTally async_tally = check_async(ledger, metrics, fleet, v);
  const auto queue_tallies = check_queues(farm, messages, plan.seed, v);

  std::printf("== %s: seed %llu, %u async functions, %zu queues, drain %lld ms\n",
              plan.label.c_str(), static_cast<unsigned long long>(plan.seed), plan.functions,
              farm.queues().size(), static_cast<long long>(drain.count()));
  std::printf(
      "load %.1f s: %.0f events/s accepted, %.0f messages/s sent; shutdown took %.1f ms; peak "
      "RSS %.0f MiB\n",
      load_seconds, static_cast<double>(async_tally.accepted) / load_seconds,
      static_cast<double>(counters.messages_sent.load()) / load_seconds, shutdown_ms,
      mib(peak_during));
  print_async(async_tally);
  print_queues(queue_tallies);
  print_traffic(counters);
  print_chaos(chaos.counts());
  std::fflush(stdout);
  engine.reset();
}

}  // namespace soak
