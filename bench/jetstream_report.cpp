// nanofaas_bench_jetstream's report (jetstream_report.hpp): medians over the repetitions,
// printed as two Markdown tables with what they mean.

#include "jetstream_report.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "jetstream_bench_shared.hpp"

namespace nanofaas::bench::jetstream {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string thousands(double x) {
  const std::string digits = std::to_string(static_cast<long long>(x + 0.5));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

void print_report(const Results& results, const std::vector<std::string>& modes, long long messages,
                  int reps, int most, double took) {
  std::printf(
      "JetStream consumers on one local nats-server: %lld messages of %zu bytes per run, "
      "median of %d runs (modes alternating); %.0f s in all\n\n",
      messages, body_bytes, reps, took);
  // The run whose aggregate is the median of its mode's, or null when every one failed.
  const auto median_run = [&](const std::string& mode, int p) -> const Result* {
    std::vector<double> rates;
    for (const Result& one : results.at(mode).at(p)) {
      if (one.ok) rates.push_back(one.aggregate);
    }
    if (rates.empty()) return nullptr;
    const double rate = median(rates);
    for (const Result& one : results.at(mode).at(p)) {
      if (one.ok && one.aggregate == rate) return &one;
    }
    return nullptr;
  };
  std::printf(
      "| mode | processes | aggregate events/s | per process events/s (slowest–fastest) | "
      "× floor |\n|---|---|---|---|---|\n");
  for (int p = 1; p <= most; ++p) {
    double floor_rate = 0;
    for (const auto& mode : modes) {
      const Result* mid = median_run(mode, p);
      if (mid == nullptr) {
        std::printf("| %s | %d | failed | | |\n", mode.c_str(), p);
        continue;
      }
      const double rate = mid->aggregate;
      if (mode.rfind("floor", 0) == 0) floor_rate = rate;
      const auto [slowest, fastest] =
          std::minmax_element(mid->per_process.begin(), mid->per_process.end());
      std::printf("| %s | %d | %s | %s (%s–%s) | %.2f |\n", mode.c_str(), p,
                  thousands(rate).c_str(), thousands(rate / p).c_str(), thousands(*slowest).c_str(),
                  thousands(*fastest).c_str(), floor_rate == 0 ? 0.0 : rate / floor_rate);
    }
  }
  std::printf(
      "\nfloor: the raw C client (fetch of 100, an ack each); queue: an event source mapping "
      "on jetstream_queue_source (batch size 100, window 1 s, 5 pollers, prefetch 256); "
      "floor+events=1: the same raw client reading messages in the durable event queue's "
      "format (its headers); async: jetstream_async_queues (max_in_flight 256), a handler per "
      "event. aggregate: messages / time from the start until all processes together "
      "processed them; per process: each one's share over that time. × floor: over the "
      "aggregate of the nearest floor row above, with as many processes.\n\n");

  std::printf(
      "What the median runs fetched (all processes, until the last counted message):\n\n"
      "| mode | processes | events per handler call | fetches/s | messages per fetch "
      "(asked) | µs per fetch | fetches with none | CPU µs per event: server, consumers "
      "|\n|---|---|---|---|---|---|---|---|\n");
  const auto ratio = [](std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
  };
  for (int p = 1; p <= most; ++p) {
    for (const auto& mode : modes) {
      const Result* mid = median_run(mode, p);
      if (mid == nullptr) continue;
      std::printf(
          "| %s | %d | %.1f | %s | %.1f (%.1f) | %.0f | %llu | %.1f, %.1f |\n", mode.c_str(), p,
          ratio(messages, mid->batches),
          thousands(static_cast<double>(mid->fetches) / mid->seconds).c_str(),
          ratio(mid->fetched, mid->fetches), ratio(mid->asked, mid->fetches),
          ratio(mid->fetch_ns, mid->fetches) / 1000, static_cast<unsigned long long>(mid->empty),
          ratio(mid->server_cpu_ns, messages) / 1000, ratio(mid->consumer_cpu_ns, messages) / 1000);
    }
  }
  std::printf(
      "\nevents per handler call: floor, per fetch. µs per fetch: from the request until the "
      "client returned the messages (the engine's readers fetch on a thread of their own "
      "while handlers run; the floor waits). A fetch with none: a timeout, or the server's "
      "\"no messages\" (the engine's reader then pauses 10 ms, doubling). CPU: user and "
      "system time of the server (0 when given --url) and of the consumer processes during "
      "the run, over the messages counted.\n");
}

}  // namespace nanofaas::bench::jetstream
