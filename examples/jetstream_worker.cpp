// A worker process of a service scaled out on NATS JetStream: run as many as you like, on one
// machine or several, and they share the work.
//   nanofaas_jetstream_worker --servers nats://127.0.0.1:4222[,URL...] [--replicas N]
//       [--shards N] [--log FILE] [--ack-wait-ms N] [--lease-ms N]
// Function "work" runs the asynchronous events that any process (nanofaas_jetstream_producer)
// sent it; their queue is the stream NANOFAAS_EVENTS. Function "tally" reads the sharded
// stream CLICKS through an event source mapping, each shard read by one worker at a time.
// With --log, every event body and record it processed is a line of FILE, written before
// the event or record is acknowledged. Prints "ready" once set up; stops on SIGTERM or SIGINT
// (what it fetched and did not run goes back to the others), then prints its counts.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "jetstream_options.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_stream.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace nanofaas;
using namespace jetstream_example;
using namespace std::chrono_literals;

struct Options {
  std::vector<std::string> servers;
  int replicas = 1;
  std::uint32_t shards = 4;
  std::string log;
  std::chrono::milliseconds ack_wait{30000};
  std::chrono::milliseconds lease{10000};
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    const std::string_view value = argv[i + 1];
    long n = 0;
    if (arg == "--servers") {
      add_servers(value, o.servers);
    } else if (arg == "--replicas" && number(value, 1, 5, n)) {
      o.replicas = static_cast<int>(n);
    } else if (arg == "--shards" && number(value, 1, 256, n)) {
      o.shards = static_cast<std::uint32_t>(n);
    } else if (arg == "--log") {
      o.log = value;
    } else if (arg == "--ack-wait-ms" && number(value, 1, 43'200'000, n)) {
      o.ack_wait = std::chrono::milliseconds(n);
    } else if (arg == "--lease-ms" && number(value, 1, 600'000, n)) {
      o.lease = std::chrono::milliseconds(n);
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !o.servers.empty();
}

/// Lines written and flushed to the kernel before a handler returns, so that a process killed
/// afterwards has recorded everything it acknowledged.
class Ledger {
 public:
  explicit Ledger(const std::string& path)
      : file_(path.empty() ? nullptr : std::fopen(path.c_str(), "a")) {}
  ~Ledger() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  [[nodiscard]] bool ok(const std::string& path) const { return path.empty() || file_ != nullptr; }
  void write(std::string_view kind, std::string_view line) {
    if (file_ == nullptr) return;
    std::lock_guard lock(mutex_);
    std::fprintf(file_, "%.*s %.*s\n", static_cast<int>(kind.size()), kind.data(),
                 static_cast<int>(line.size()), line.data());
    std::fflush(file_);
  }

 private:
  std::mutex mutex_;
  std::FILE* file_;
};

int fail(const char* what, const Error& error) {
  std::fprintf(stderr, "nanofaas_jetstream_worker: %s: %s\n", what, error.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s --servers URL[,URL...] [--replicas N] [--shards N] [--log FILE] "
                 "[--ack-wait-ms N] [--lease-ms N]\n",
                 argv[0]);
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before any thread starts

  Ledger ledger(o.log);
  if (!ledger.ok(o.log)) {
    std::fprintf(stderr, "nanofaas_jetstream_worker: cannot open %s\n", o.log.c_str());
    return 1;
  }
  auto js = JetStream::connect({.servers = o.servers, .name = "nanofaas-worker"});
  if (!js) return fail("connecting", js.error());
  auto queues = jetstream_async_queues(*js, {.replicas = o.replicas, .ack_wait = o.ack_wait});
  if (!queues) return fail("event queues", queues.error());
  auto clicks = jetstream_stream_source(*js, {.stream = "CLICKS",
                                              .shards = o.shards,
                                              .replicas = o.replicas,
                                              .lease_duration = o.lease,
                                              .ack_wait = o.ack_wait});
  if (!clicks) return fail("stream CLICKS", clicks.error());

  auto engine = Engine::create({.async_queue = *queues});
  if (!engine) return fail("engine", engine.error());
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> records{0};
  auto work = engine->add_function({.name = "work"}, [&](const Event& event) {
    ledger.write("event", event.body());
    events.fetch_add(1, std::memory_order_relaxed);
    return Response::ok("");
  });
  if (!work) return fail("function work", work.error());
  auto tally = engine->add_function({.name = "tally"}, [&](const Event& event) {
    for (const Record& r : event.records()) ledger.write("record", r.body.view());
    records.fetch_add(event.records().size(), std::memory_order_relaxed);
    return Response::ok("");
  });
  if (!tally) return fail("function tally", tally.error());
  auto mapping =
      engine->create_event_source_mapping({.source = *clicks,
                                           .function_name = "tally",
                                           .batch_size = 100,
                                           .starting_position = StartingPosition::trim_horizon});
  if (!mapping) return fail("mapping", mapping.error());
  std::printf("ready\n");
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  engine->shutdown(5s);
  std::printf("events %llu records %llu\n", static_cast<unsigned long long>(events.load()),
              static_cast<unsigned long long>(records.load()));
  return 0;
}
