// A producer process for nanofaas_jetstream_worker: sends asynchronous events to function
// "work" through the durable queue (stored before each call returns, run by a worker), and
// records to the sharded stream CLICKS.
//   nanofaas_jetstream_producer --servers nats://127.0.0.1:4222[,URL...] [--replicas N]
//       [--events N] [--records N] [--shards N] [--threads N]
// Event i's body is "e<i>", record i's "r<i>" (partition key "k<i mod 97>"); events and
// records are sent side by side, each on half the threads. A send that fails
// (a cluster electing a leader for longer than the client retries) is tried again. Prints
// what it sent and how fast; exits non-zero if something could not be sent.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "jetstream_options.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_stream.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace nanofaas;
using namespace jetstream_example;
using steady = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> servers;
  int replicas = 1;
  long events = 1000;
  long records = 0;
  std::uint32_t shards = 4;
  long threads = 4;
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
    } else if (arg == "--events" && number(value, 0, 100'000'000, n)) {
      o.events = n;
    } else if (arg == "--records" && number(value, 0, 100'000'000, n)) {
      o.records = n;
    } else if (arg == "--shards" && number(value, 1, 256, n)) {
      o.shards = static_cast<std::uint32_t>(n);
    } else if (arg == "--threads" && number(value, 1, 64, n)) {
      o.threads = n;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !o.servers.empty();
}

std::string numbered(char prefix, long i) {
  std::string text(1, prefix);
  text += std::to_string(i);
  return text;
}

/// Runs `send(i)` for every i below `count` on `threads` threads, each i until it succeeds
/// (at most `tries` times); how many never did.
template <class Send>
long send_all(long count, long threads, Send send) {
  constexpr int tries = 5;
  std::atomic<long> next{0};
  std::atomic<long> failed{0};
  std::vector<std::thread> pool;
  for (long t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (long i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        bool sent = false;
        for (int k = 0; k < tries && !sent; ++k) sent = send(i);
        if (!sent) failed.fetch_add(1);
      }
    });
  }
  for (auto& t : pool) t.join();
  return failed.load();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s --servers URL[,URL...] [--replicas N] [--events N] [--records N] "
                 "[--shards N] [--threads N]\n",
                 argv[0]);
    return 2;
  }
  auto js = JetStream::connect({.servers = o.servers, .name = "nanofaas-producer"});
  if (!js) {
    std::fprintf(stderr, "nanofaas_jetstream_producer: %s\n", js.error().message.c_str());
    return 1;
  }
  auto queues = jetstream_async_queues(*js, {.replicas = o.replicas, .receive = false});
  if (!queues) {
    std::fprintf(stderr, "nanofaas_jetstream_producer: %s\n", queues.error().message.c_str());
    return 1;
  }
  if (o.records > 0) {
    // Sets the stream up if no worker did yet (a source that is never opened reads nothing).
    auto clicks = jetstream_stream_source(
        *js, {.stream = "CLICKS", .shards = o.shards, .replicas = o.replicas});
    if (!clicks) {
      std::fprintf(stderr, "nanofaas_jetstream_producer: %s\n", clicks.error().message.c_str());
      return 1;
    }
  }
  auto engine = Engine::create({.async_queue = *queues});
  if (!engine) return 1;
  // Registered to name its queue; a producer runs no event.
  if (!engine->add_function({.name = "work"}, [](const Event&) { return Response::ok(""); })) {
    return 1;
  }
  // Events and records go side by side, each on half the threads.
  const long half = std::max(1L, o.threads / 2);
  long events_failed = 0;
  double event_seconds = 0;
  std::thread event_sender([&] {
    const auto started = steady::now();
    events_failed = send_all(o.events, half, [&](long i) {
      const std::string body = numbered('e', i);
      return engine->invoke_async("work", PayloadView(body)).has_value();
    });
    event_seconds = std::chrono::duration<double>(steady::now() - started).count();
  });
  const auto records_started = steady::now();
  const long records_failed = send_all(o.records, half, [&](long i) {
    const std::string body = numbered('r', i);
    const std::string key = numbered('k', i % 97);
    return jetstream_put_record(*js, "CLICKS", o.shards, key, PayloadView(body)).has_value();
  });
  const double record_seconds =
      std::chrono::duration<double>(steady::now() - records_started).count();
  event_sender.join();
  std::printf("sent events %ld (%.0f/s) records %ld (%.0f/s)\n", o.events - events_failed,
              o.events / std::max(event_seconds, 1e-9), o.records - records_failed,
              o.records / std::max(record_seconds, 1e-9));
  if (events_failed + records_failed != 0) {
    std::fprintf(stderr, "nanofaas_jetstream_producer: %ld events and %ld records not sent\n",
                 events_failed, records_failed);
    return 1;
  }
  return 0;
}
