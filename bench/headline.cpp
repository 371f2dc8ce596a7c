// The headline table: sync invoke, nested invoke, cold start and memory per environment,
// beside a direct call and boost::asio::thread_pool + future, medians of 5 runs.

#include <algorithm>
#include <cstdio>
#include <vector>

#include "workloads.hpp"

namespace {

struct Row {
  const char* name;
  std::vector<double> p50;
  std::vector<double> p99;
};

void add(Row& row, const bench::DurationHistogram& h) {
  row.p50.push_back(static_cast<double>(h.p50().count()));
  row.p99.push_back(static_cast<double>(h.p99().count()));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = 5;
  const int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto engine = bench::echo_engine(2);
  boost::asio::thread_pool pool(2);
  Row direct{"direct call (floor)", {}, {}};
  Row sync{"nanofaas sync invoke, plain thread", {}, {}};
  Row asio{"asio::thread_pool post + future", {}, {}};
  Row nested{"nanofaas nested invoke (in a handler)", {}, {}};
  Row cold{"nanofaas cold start (nested, trivial init, stack reserve)", {}, {}};
  Row cold_dry{"nanofaas cold start, stack reserve exhausted", {}, {}};
  for (int r = 0; r < runs; ++r) {
    add(direct, bench::direct_call(calls));
    add(sync, bench::sync_invoke(engine, calls));
    add(asio, bench::asio_pool_future(pool, calls));
    add(nested, bench::nested_invoke(engine, calls));
    add(cold, bench::cold_start(2000, 8));
    add(cold_dry, bench::cold_start(2000, 0));
  }
  std::vector<double> async_one, async_many, asio_post;
  for (int r = 0; r < runs; ++r) {
    async_one.push_back(bench::async_throughput(500000));
    async_many.push_back(bench::async_throughput(500000, 10000));
    asio_post.push_back(bench::asio_post_throughput(500000));
  }
  std::vector<double> per_env;
  for (int r = 0; r < 3; ++r) per_env.push_back(bench::bytes_per_idle_environment(10000));

  std::printf("| workload (2 workers, echo of a 77-byte JSON) | p50 (ns) | p99 (ns) |\n");
  std::printf("|---|---:|---:|\n");
  for (const Row* row : {&direct, &sync, &asio, &nested, &cold, &cold_dry}) {
    std::printf("| %s | %.0f | %.0f |\n", row->name, median(row->p50), median(row->p99));
  }
  std::printf("| resident memory per idle warm environment (10,000) | %.1f KiB | |\n",
              median(per_env) / 1024.0);
  std::printf("\n| fire-and-forget, 500,000 trivial events, 2 workers | events/s |\n|---|---:|\n");
  std::printf("| nanofaas invoke_async, 1 function | %.2f M |\n", median(async_one) / 1e6);
  std::printf("| nanofaas invoke_async, 10,000 functions | %.2f M |\n", median(async_many) / 1e6);
  std::printf("| asio::thread_pool post | %.2f M |\n", median(asio_post) / 1e6);
  std::printf("\nmedian of %d runs x %d calls; sync p99 vs asio p99: %.1fx lower\n", runs, calls,
              median(asio.p99) / median(sync.p99));
  return 0;
}
