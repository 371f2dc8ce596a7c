// A consumer process of nanofaas_bench_jetstream (jetstream_consumer.hpp): it sets up, waits
// for the common start, consumes and counts what it processed in its slot of the shared file.

#include "jetstream_consumer.hpp"

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <memory>
#include <string>
#include <thread>

#include "jetstream_bench_settings.hpp"
#include "jetstream_bench_shared.hpp"
#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nanofaas/nanofaas.hpp"

namespace nanofaas::bench::jetstream {

namespace {

using namespace std::chrono_literals;

std::int64_t cpu_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

/// Tells the runner it is set up, and waits for the start. A thread then waits for the end
/// and notes the CPU time the process took meanwhile (all its threads).
void await_start(Shared& shared, Slot& slot) {
  slot.ready.store(1, std::memory_order_release);
  while (shared.start_ns.load(std::memory_order_acquire) == 0) std::this_thread::sleep_for(50us);
  std::thread([&shared, &slot, from = cpu_ns()] {
    while (shared.end_ns.load(std::memory_order_acquire) == 0) std::this_thread::sleep_for(1ms);
    slot.cpu_ns.store(static_cast<std::uint64_t>(cpu_ns() - from));
  }).detach();
}

void await_stop(Shared& shared) {
  while (shared.stop.load(std::memory_order_acquire) == 0) std::this_thread::sleep_for(1ms);
}

int consume_raw(const Settings& s, const std::string& url, const Names& names, Shared& shared,
                Slot& slot) {
  natsConnection* nc = nullptr;
  check(natsConnection_ConnectTo(&nc, url.c_str()), "connect");
  jsCtx* js = nullptr;
  check(natsConnection_JetStream(&js, nc, nullptr), "JetStream context");
  await_start(shared, slot);
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = names.stream.c_str();
  options.Consumer = "nanofaas";
  natsSubscription* sub = nullptr;
  jsErrCode error{};
  check(js_PullSubscribe(&sub, js, nullptr, "nanofaas", nullptr, &options, &error), "subscribe");
  while (shared.stop.load(std::memory_order_relaxed) == 0) {
    natsMsgList list{};
    const std::int64_t started = now_ns();
    const natsStatus st = natsSubscription_Fetch(&list, sub, s.fetch, 500, &error);
    count_fetch(st, list, s.fetch, now_ns() - started);
    if (st == NATS_TIMEOUT) continue;
    check(st, "fetch");
    for (int i = 0; i < list.Count; ++i) check(natsMsg_Ack(list.Msgs[i], nullptr), "ack");
    count(shared, slot, static_cast<std::uint64_t>(list.Count));
    natsMsgList_Destroy(&list);
  }
  return 0;
}

int consume_engine(const Settings& s, const std::string& url, const Names& names, Shared& shared,
                   Slot& slot) {
  auto js = JetStream::connect({.servers = {url}, .name = "nanofaas-bench"});
  if (!js) die("connect: " + js.error().message);
  EngineConfig config{.workers = s.workers, .idle_spin = s.idle_spin};
  std::shared_ptr<Source> source;
  if (s.base == "async") {
    // The runner made the stream; the version's consumer is made with its queue.
    auto queues = jetstream_async_queues(*js, {.stream = names.stream,
                                               .subject_prefix = names.prefix,
                                               .max_in_flight = s.max_in_flight,
                                               .max_ack_pending = s.max_ack_pending});
    if (!queues) die("jetstream_async_queues: " + queues.error().message);
    config.async_queue = *queues;
  } else {
    auto made = jetstream_queue_source(
        *js, {.stream = names.stream, .create = false, .prefetch = s.prefetch});
    if (!made) die("jetstream_queue_source: " + made.error().message);
    source = *made;
  }
  auto engine = Engine::create(std::move(config));
  if (!engine) die("engine: " + engine.error().message);
  await_start(shared, slot);
  // The function (async: its version's queue and consumer) and the mapping come after the
  // start, as the floor's subscription does.
  if (s.base == "async") {
    auto added = engine->add_function({.name = "sink"}, [&](const Event&) {
      count(shared, slot, 1);
      return Response{};
    });
    if (!added) die("add_function: " + added.error().message);
  } else {
    auto added = engine->add_function({.name = "sink"}, [&](const Event& e) {
      count(shared, slot, e.records().size());
      return Response{};
    });
    if (!added) die("add_function: " + added.error().message);
    EventSourceMappingConfig mapping{
        .source = source, .function_name = "sink", .batch_size = batch};
    // Lambda's rule for standard queues with batches over 10; a full queue fills each batch.
    mapping.maximum_batching_window = 1s;
    if (s.concurrency != 0) mapping.maximum_concurrency = s.concurrency;
    auto uuid = engine->create_event_source_mapping(mapping);
    if (!uuid) die("mapping: " + uuid.error().message);
  }
  await_stop(shared);
  return 0;
}

}  // namespace

int consume(int argc, char** argv) {
  if (argc != 7) die("usage: consume MODE URL RUN SHARED_FILE SLOT");
  const Settings settings = parse_mode(argv[2]);
  const std::string url = argv[3];
  const Names names = names_of(std::atoi(argv[4]));
  Shared& shared = *map_shared(argv[5], false);
  const int index = std::atoi(argv[6]);
  if (index < 0 || index >= max_processes) die("bad slot");
  Slot& slot = shared.slots[static_cast<std::size_t>(index)];
  consumer_slot = &slot;
  consumer_shared = &shared;
  try {
    if (settings.base == "floor") {
      consume_raw(settings, url, names, shared, slot);
    } else {
      consume_engine(settings, url, names, shared, slot);
    }
  } catch (const std::exception& e) {
    die(e.what());
  }
  // What is left (engines, readers, subscriptions) ends with the process: the runner deletes
  // the stream, and tearing down is not what is measured.
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace nanofaas::bench::jetstream
