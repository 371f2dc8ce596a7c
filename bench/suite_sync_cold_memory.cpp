// Figure f of the suite: sync request/response latency, cold starts and memory per idle
// environment.

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "caf_peers.hpp"
#include "cold_start.hpp"
#include "suite.hpp"
#include "workloads.hpp"

namespace bench::suite {

// f. Sync request/response, cold start, memory per idle environment.
void sync_cold_memory(const Plan& plan, const std::string& dir) {
  auto engine = bench::echo_engine(2);
  boost::asio::thread_pool pool(2);
  Percentiles direct, round_trip, sync, nested, asio, caf;
  Percentiles cold_nested, cold_plain, cold_caf;
  std::vector<double> per_env, per_actor;
  for (int r = 0; r < plan.reps; ++r) {
    direct.add(bench::direct_call(plan.sync_calls));
    sync.add(bench::sync_invoke(engine, plan.sync_calls));
    round_trip.add(bench::round_trip_floor(plan.sync_calls));
    nested.add(bench::nested_invoke(engine, plan.sync_calls));
    asio.add(bench::asio_pool_future(pool, plan.sync_calls));
    if (bench::have_caf) caf.add(bench::caf_request(plan.sync_calls));
  }
  // Apart from the latencies: right after 10,000 environments were torn down, the sync p99
  // was ~80 µs in most repetitions, and 1.5 µs in the next run of the same calls.
  for (int r = 0; r < plan.reps; ++r) {
    cold_nested.add(bench::cold_start(plan.cold_starts, 8));
    cold_plain.add(bench::cold_start_plain_thread(plan.cold_starts));
    if (bench::have_caf) cold_caf.add(bench::caf_spawn_first_request(plan.cold_starts));
    per_env.push_back(bench::bytes_per_idle_environment(plan.idle_environments));
    if (bench::have_caf) {
      per_actor.push_back(
          bench::caf_bytes_per_idle_actor(static_cast<int>(plan.idle_environments)));
    }
  }
  FILE* f = open_csv(dir, "sync_latency.csv");
  std::fprintf(f,
               "# sync request/response, echo of a 77-byte JSON, caller on a plain thread "
               "(nested: in a handler), 2 workers, %d calls per run, median of %d runs\n",
               plan.sync_calls, plan.reps);
  std::fprintf(f, "system,p50_ns,p99_ns,p999_ns\n");
  const std::pair<const char*, const Percentiles*> rows[] = {
      {"direct call (floor)", &direct},
      {"floor: a spinning thread answers through a slot", &round_trip},
      {"nanofaas invoke", &sync},
      {"nanofaas nested invoke", &nested},
      {"asio thread_pool post + future", &asio},
      {"CAF request/receive", bench::have_caf ? &caf : nullptr},
  };
  for (const auto& [name, p] : rows) {
    if (p == nullptr) {
      note_not_built(f, name);
      continue;
    }
    std::fprintf(f, "%s,%.0f,%.0f,%.0f\n", name, median(p->p50), median(p->p99), median(p->p999));
  }
  std::fclose(f);
  f = open_csv(dir, "cold_start_memory.csv");
  std::fprintf(f, "# median of %d runs; %d cold starts per run; memory: RSS growth / %u\n",
               plan.reps, plan.cold_starts, plan.idle_environments);
  std::fprintf(f, "system,metric,p50,p99,unit\n");
  std::fprintf(f, "nanofaas nested call to a new function,cold start,%.0f,%.0f,ns\n",
               median(cold_nested.p50), median(cold_nested.p99));
  std::fprintf(f, "nanofaas plain-thread call to a new function,cold start,%.0f,%.0f,ns\n",
               median(cold_plain.p50), median(cold_plain.p99));
  if (bench::have_caf) {
    std::fprintf(f, "CAF spawn + first request,cold start,%.0f,%.0f,ns\n", median(cold_caf.p50),
                 median(cold_caf.p99));
  }
  std::fprintf(f, "# asio thread_pool, oneTBB: no equivalent (no per-function environment)\n");
  std::fprintf(f, "nanofaas idle warm environment,memory,%.0f,,bytes\n", median(per_env));
  if (bench::have_caf) {
    std::fprintf(f, "CAF idle actor,memory,%.0f,,bytes\n", median(per_actor));
  }
  std::fclose(f);
  for (int q = 0; q < 2; ++q) {
    auto pick = [q](const Percentiles& p) { return median(q == 0 ? p.p50 : p.p99) / 1000; };
    ratios.push_back({std::string("sync request/response ") + (q == 0 ? "p50" : "p99"),
                      "µs",
                      false,
                      pick(sync),
                      {{"asio thread_pool post + future", pick(asio)},
                       {"CAF request/receive", bench::have_caf ? pick(caf) : 0}}});
  }
  ratios.push_back(
      {"cold start p50 from a plain thread (CAF: spawn + first request)",
       "µs",
       false,
       median(cold_plain.p50) / 1000,
       {{"CAF", bench::have_caf ? median(cold_caf.p50) / 1000 : 0}, {"asio thread_pool", 0}}});
  ratios.push_back(
      {"memory per idle environment (CAF: per idle actor)",
       "KiB",
       false,
       median(per_env) / 1024,
       {{"CAF", bench::have_caf ? median(per_actor) / 1024 : 0}, {"asio thread_pool", 0}}});
}

}  // namespace bench::suite
