// JetStream throughput: events per second that 1, 2 and 3 processes consume from one local
// nats-server, for
//   floor  the raw C client alone: js_PullSubscribe, natsSubscription_Fetch of 100, an ack each;
//   queue  an engine with an event source mapping on `jetstream_queue_source`, batch size 100,
//          a trivial batch handler;
//   async  an engine whose durable event queue is `jetstream_async_queues`, a trivial handler
//          per event (the events stored in the format the queue's `store` writes).
//   floor+events=1  the raw client again, reading messages in the async queue's format.
// Every run gets a fresh work-queue stream holding MESSAGES messages of 100 bytes (plus a few
// more, so that no process runs dry before the last counted one), published before the
// clock starts. The consumers are this program again (`consume ...`), set up (connected,
// engine made) before a common start; each subscribes, or creates its mapping or function,
// after the start. A run ends when the processes together have processed MESSAGES messages:
// aggregate = MESSAGES / (end - start). Modes alternate within each repetition; medians.
//
//   nanofaas_bench_jetstream [REPETITIONS=3 [MESSAGES=100000 [MAX_PROCESSES=3]]]
//                            [--url nats://...] [--modes floor,queue,floor+events=1,async]
// Without --url it starts its own server (scripts/nats.sh) and stops it at the end. A mode
// may carry settings (`Settings`), e.g. `async+max_in_flight=256+idle_spin_us=0`,
// `queue+max_ack_pending=10000+prefetch=100+concurrency=2`, `floor+fetch=256`. Each row's
// ratio is over the nearest floor row above it. The engines' readers' fetches are counted by
// wrapping the C client's `natsSubscription_FetchRequest` (jetstream_bench_shared.cpp).
//
// This file reads the arguments and runs the repetitions: jetstream_runner.cpp runs one,
// jetstream_consumer.cpp is the `consume` mode, jetstream_report.cpp prints the tables.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "jetstream_bench_settings.hpp"
#include "jetstream_bench_shared.hpp"
#include "jetstream_consumer.hpp"
#include "jetstream_nats_server.hpp"
#include "jetstream_raw_client.hpp"
#include "jetstream_report.hpp"
#include "jetstream_runner.hpp"
#include "nanofaas/jetstream.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::bench::jetstream;
using steady = std::chrono::steady_clock;

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= list.size()) {
    std::size_t to = list.find(',', from);
    if (to == std::string::npos) to = list.size();
    if (to > from) out.push_back(list.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

int run_bench(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string url;
  std::vector<std::string> modes{"floor", "queue", "floor+events=1", "async"};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--url" && i + 1 < argc) {
      url = argv[++i];
    } else if (arg == "--modes" && i + 1 < argc) {
      modes = split(argv[++i]);
    } else {
      positional.push_back(arg);
    }
  }
  const int reps = positional.size() > 0 ? std::atoi(positional[0].c_str()) : 3;
  const long long messages = positional.size() > 1 ? std::atoll(positional[1].c_str()) : 100000;
  const int most = positional.size() > 2 ? std::atoi(positional[2].c_str()) : 3;
  if (reps < 1 || messages < 1000 || most < 1 || most > max_processes || modes.empty()) {
    std::fprintf(stderr,
                 "usage: nanofaas_bench_jetstream [REPETITIONS [MESSAGES>=1000 "
                 "[MAX_PROCESSES<=%d]]] [--url URL] [--modes floor,queue,async]\n",
                 max_processes);
    return 2;
  }
  for (const auto& m : modes) (void)parse_mode(m);
  if (modes.front().rfind("floor", 0) != 0) die("the first mode must be a floor (the ratios')");

  std::string pattern = (std::filesystem::temp_directory_path() / "nanofaas-bench-js-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp failed");
  const std::filesystem::path dir = pattern;
  int status = 0;
  {
    std::unique_ptr<Server> server =
        url.empty() ? std::make_unique<Server>(dir / "nats") : std::make_unique<Server>(url);
    Raw raw(server->url());
    auto js = JetStream::connect({.servers = {server->url()}});
    if (!js) die("connect: " + js.error().message);
    Runner runner{*server,
                  std::filesystem::read_symlink("/proc/self/exe").string(),
                  dir,
                  server->url(),
                  raw,
                  *js,
                  static_cast<std::uint64_t>(messages)};
    // results[mode][processes]: every repetition's.
    Results results;
    const auto started = steady::now();
    for (int r = 0; r < reps; ++r) {
      for (int p = 1; p <= most; ++p) {
        for (const auto& mode : modes) {
          Result one = runner.measure(mode, p);
          if (!one.ok) status = 1;
          results[mode][p].push_back(std::move(one));
        }
      }
    }
    const double took = std::chrono::duration<double>(steady::now() - started).count();
    print_report(results, modes, messages, reps, most, took);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "consume") return consume(argc, argv);
  return run_bench(argc, argv);
}
