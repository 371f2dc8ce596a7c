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
// wrapping the C client's `natsSubscription_FetchRequest` (below).

#include <dlfcn.h>
#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nanofaas/jetstream.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_queue.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int max_processes = 8;
constexpr std::size_t body_bytes = 100;
constexpr std::uint32_t batch = 100;

struct Slot;

/// The runner's server directory, stopped when it gives up (consumers: empty).
std::string stop_on_failure;
/// A consumer's slot: marked failed when it gives up, and where its fetches are counted (the
/// runner: null).
Slot* consumer_slot = nullptr;
void mark_failed();

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "nanofaas_bench_jetstream: %s\n", what.c_str());
  mark_failed();
  if (!stop_on_failure.empty()) {
    const std::string line = std::string(NANOFAAS_NATS_SCRIPT) + " stop " + stop_on_failure;
    if (std::system(line.c_str()) != 0) std::fprintf(stderr, "%s failed\n", line.c_str());
  }
  std::exit(1);
}

void check(natsStatus s, const char* what) {
  if (s != NATS_OK) die(std::string(what) + ": " + natsStatus_GetText(s));
}

/// steady_clock is CLOCK_MONOTONIC: one time line for every process of the machine.
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// What the runner and its consumers share: a file mapped by each (zero-filled, then set up by
// the runner before it starts them).

struct Slot {
  std::atomic<int> ready;               // set up, waiting for the start
  std::atomic<int> failed;              // gave up (the reason is on its stderr)
  std::atomic<std::uint64_t> counted;   // its share of the first `target` messages
  std::atomic<std::uint64_t> batches;   // handler calls (floor: fetches) that counted
  std::atomic<std::uint64_t> fetches;   // fetch requests that brought messages, before the end
  std::atomic<std::uint64_t> fetched;   // messages they brought
  std::atomic<std::uint64_t> asked;     // messages they asked for
  std::atomic<std::uint64_t> fetch_ns;  // time spent in them
  std::atomic<std::uint64_t> empty;     // fetches that brought none (timeouts, "no messages")
  std::atomic<std::uint64_t> cpu_ns;    // the process's CPU time from the start to the end
};

struct Shared {
  std::atomic<std::int64_t> start_ns;  // 0 until the start
  std::atomic<std::int64_t> end_ns;    // when the `target`-th message was processed
  std::atomic<int> stop;               // the consumers may exit
  std::atomic<std::uint64_t> total;    // processed by all (past `target` too)
  std::uint64_t target;
  std::array<Slot, max_processes> slots;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

void mark_failed() {
  if (consumer_slot != nullptr) consumer_slot->failed.store(1);
}

/// A consumer's shared state (the runner: null).
Shared* consumer_shared = nullptr;

/// Counts a fetch that asked for `asked` messages, took `ns` and ended with `s`.
void count_fetch(natsStatus s, const natsMsgList& list, int asked, std::int64_t ns) {
  if (consumer_slot == nullptr || consumer_shared->end_ns.load(std::memory_order_relaxed) != 0) {
    return;
  }
  Slot& slot = *consumer_slot;
  if (s != NATS_OK || list.Count == 0) {
    slot.empty.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  slot.fetches.fetch_add(1, std::memory_order_relaxed);
  slot.fetched.fetch_add(static_cast<std::uint64_t>(list.Count), std::memory_order_relaxed);
  slot.asked.fetch_add(static_cast<std::uint64_t>(asked), std::memory_order_relaxed);
  slot.fetch_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

}  // namespace

/// The engine's readers fetch through the C client's `natsSubscription_FetchRequest`: this
/// definition takes its place in this program (the component is linked statically; with a
/// shared nanofaas_jetstream the engine rows' fetch columns read 0), counts each fetch and
/// what it brought, and calls the client's own.
extern "C" natsStatus natsSubscription_FetchRequest(natsMsgList* list, natsSubscription* sub,
                                                    jsFetchRequest* request) {
  using Fetch = natsStatus (*)(natsMsgList*, natsSubscription*, jsFetchRequest*);
  static const auto real =
      reinterpret_cast<Fetch>(::dlsym(RTLD_NEXT, "natsSubscription_FetchRequest"));
  if (real == nullptr) die("natsSubscription_FetchRequest not found");
  const std::int64_t started = now_ns();
  const natsStatus s = real(list, sub, request);
  count_fetch(s, *list, request->Batch, now_ns() - started);
  return s;
}

namespace {

Shared* map_shared(const std::string& path, bool create) {
  const int fd = ::open(path.c_str(), create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR, 0600);
  if (fd < 0) die("cannot open " + path);
  if (create && ::ftruncate(fd, sizeof(Shared)) != 0) die("cannot size " + path);
  void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) die("cannot map " + path);
  return create ? new (p) Shared{} : static_cast<Shared*>(p);
}

/// Counts `n` processed messages of consumer `slot`; the one that reaches the target ends the
/// run's clock.
void count(Shared& shared, Slot& slot, std::uint64_t n) {
  const std::uint64_t before = shared.total.fetch_add(n, std::memory_order_relaxed);
  if (before >= shared.target) return;
  const std::uint64_t mine = std::min(n, shared.target - before);
  slot.counted.fetch_add(mine, std::memory_order_relaxed);
  slot.batches.fetch_add(1, std::memory_order_relaxed);
  if (before + n >= shared.target) shared.end_ns.store(now_ns(), std::memory_order_release);
}

// ---------------------------------------------------------------------------------------------
// A mode: its base (floor, queue, async) and settings.

struct Settings {
  std::string base;
  std::uint32_t workers = EngineConfig{}.workers;
  std::chrono::nanoseconds idle_spin = EngineConfig{}.idle_spin;
  std::size_t prefetch = JetStreamQueueConfig{}.prefetch;                 // queue
  std::uint32_t concurrency = 0;                                          // queue; 0: default
  std::size_t max_in_flight = JetStreamAsyncQueueConfig{}.max_in_flight;  // async
  std::uint32_t max_ack_pending = 0;  // the consumer's; 0: the server's default (1000)
  int fetch = 100;                    // floor: the batch of each fetch
  bool events = false;                // floor: read messages in the async queue's format
};

Settings parse_mode(const std::string& mode) {
  Settings s;
  std::size_t from = 0;
  bool first = true;
  while (from <= mode.size()) {
    std::size_t to = mode.find('+', from);
    if (to == std::string::npos) to = mode.size();
    const std::string part = mode.substr(from, to - from);
    from = to + 1;
    if (first) {
      s.base = part;
      first = false;
      continue;
    }
    const auto eq = part.find('=');
    if (eq == std::string::npos) die("bad setting " + part);
    const std::string key = part.substr(0, eq);
    const auto value = std::strtoull(part.c_str() + eq + 1, nullptr, 10);
    if (key == "workers") {
      s.workers = static_cast<std::uint32_t>(value);
    } else if (key == "idle_spin_us") {
      s.idle_spin = std::chrono::microseconds(value);
    } else if (key == "prefetch") {
      s.prefetch = value;
    } else if (key == "concurrency") {
      s.concurrency = static_cast<std::uint32_t>(value);
    } else if (key == "max_in_flight") {
      s.max_in_flight = value;
    } else if (key == "max_ack_pending") {
      s.max_ack_pending = static_cast<std::uint32_t>(value);
    } else if (key == "fetch") {
      s.fetch = static_cast<int>(value);
    } else if (key == "events") {
      s.events = value != 0;
    } else {
      die("unknown setting " + key);
    }
  }
  if (s.base != "floor" && s.base != "queue" && s.base != "async") die("unknown mode " + mode);
  return s;
}

/// The names one run uses: its stream, the async events' subject prefix.
struct Names {
  std::string stream;
  std::string prefix;  // async: `<prefix>.sink.LATEST`
};

Names names_of(int run) {
  const std::string id = std::to_string(run);
  return {"BENCH" + id, "bench" + id};
}

// ---------------------------------------------------------------------------------------------
// A consumer process: `consume MODE URL RUN SHARED_FILE SLOT`.

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

// ---------------------------------------------------------------------------------------------
// The runner.

/// A nats-server of our own (scripts/nats.sh), or the one given.
class Server {
 public:
  explicit Server(std::string url) : url_(std::move(url)) {}
  /// Starts one in `dir`.
  explicit Server(const std::filesystem::path& dir) : dir_(dir) {
    stop_on_failure = dir.string();
    url_ = run("start");
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
    if (url_.empty()) die("scripts/nats.sh printed no URL");
    std::FILE* f = std::fopen((dir / "node1" / "pid").c_str(), "r");
    if (f != nullptr) {
      if (std::fscanf(f, "%d", &pid_) != 1) pid_ = 0;
      std::fclose(f);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (!dir_.empty()) run("stop");
    stop_on_failure.clear();
  }
  const std::string& url() const { return url_; }
  /// The server's CPU time so far (user and system), if it is ours; else 0.
  std::int64_t cpu_ns() const {
    if (pid_ == 0) return 0;
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (f == nullptr) return 0;
    std::array<char, 1024> line{};
    const bool read = std::fgets(line.data(), line.size(), f) != nullptr;
    std::fclose(f);
    if (!read) return 0;
    // Fields 14 and 15 (utime, stime, in clock ticks) after the command in parentheses.
    const char* p = std::strrchr(line.data(), ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (p == nullptr || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                    &utime, &stime) != 2) {
      return 0;
    }
    return static_cast<std::int64_t>((utime + stime) * 1'000'000'000ULL /
                                     static_cast<unsigned long long>(::sysconf(_SC_CLK_TCK)));
  }

 private:
  std::string run(const std::string& command) const {
    const std::string line =
        std::string(NANOFAAS_NATS_SCRIPT) + " " + command + " " + dir_.string();
    FILE* pipe = ::popen(line.c_str(), "r");
    if (pipe == nullptr) die("cannot run " + line);
    std::string out;
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
    if (::pclose(pipe) != 0) die(line + " failed");
    return out;
  }
  std::filesystem::path dir_;
  std::string url_;
  int pid_ = 0;
};

/// The runner's own raw connection: publishing fast (asynchronous publishes) and deleting
/// streams.
class Raw {
 public:
  explicit Raw(const std::string& url) {
    check(natsConnection_ConnectTo(&nc_, url.c_str()), "connect");
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = 4096;
    options.PublishAsync.StallWait = 10000;  // ms a publish waits for room
    options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr*, void* failed) {
      static_cast<std::atomic<int>*>(failed)->fetch_add(1);
    };
    options.PublishAsync.ErrHandlerClosure = &failed_;
    check(natsConnection_JetStream(&js_, nc_, &options), "JetStream context");
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
  }

  /// Publishes `n` messages of `body_bytes` to `subject`; `event`: with the headers of a
  /// stored event (`Nanofaas-Request-Id`, `Nanofaas-Chain-Depth`, `Nats-Msg-Id`), as
  /// `JetStreamEventQueue::store` writes them. Returns once the stream acknowledged each.
  void publish(const std::string& subject, std::uint64_t n, bool event, std::uint64_t salt) {
    std::string body(body_bytes, 'x');
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::string number = std::to_string(i);
      std::memcpy(body.data(), number.data(), number.size());
      natsMsg* msg = nullptr;
      check(natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(),
                           static_cast<int>(body.size())),
            "message");
      if (event) {
        char id[33];
        std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(salt),
                      static_cast<unsigned long long>(i + 1));
        check(natsMsgHeader_Set(msg, "Nanofaas-Request-Id", id), "header");
        check(natsMsgHeader_Set(msg, "Nanofaas-Chain-Depth", "1"), "header");
        check(natsMsgHeader_Set(msg, "Nats-Msg-Id", id), "header");
      }
      check(js_PublishMsgAsync(js_, &msg, nullptr), "publish");
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = 60000;
    check(js_PublishAsyncComplete(js_, &options), "publish complete");
    if (failed_.load() != 0) die("publishes failed");
  }

  std::uint64_t messages(const std::string& stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode error{};
    check(js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &error), "stream info");
    const std::uint64_t n = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return n;
  }

  /// Stream `stream` (work queue, file storage) as `jetstream_queue_source` makes it.
  void add_stream(const std::string& stream) {
    const char* subjects[] = {stream.c_str()};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = stream.c_str();
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Retention = js_WorkQueuePolicy;
    sc.Storage = js_FileStorage;
    jsErrCode error{};
    check(js_AddStream(nullptr, js_, &sc, nullptr, &error), "add stream");
  }

  /// Its durable consumer `nanofaas` as the component makes them, but with
  /// `max_ack_pending` (0: the server's default) and, if not empty, `filter`.
  void add_consumer(const std::string& stream, const std::string& filter,
                    std::uint32_t max_ack_pending) {
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "nanofaas";
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = std::chrono::nanoseconds(30s).count();
    cc.MaxDeliver = -1;
    if (max_ack_pending != 0) cc.MaxAckPending = max_ack_pending;
    if (!filter.empty()) cc.FilterSubject = filter.c_str();
    jsErrCode error{};
    check(js_AddConsumer(nullptr, js_, stream.c_str(), &cc, nullptr, &error), "add consumer");
  }

  void delete_stream(const std::string& stream) {
    jsErrCode error{};
    check(js_DeleteStream(js_, stream.c_str(), nullptr, &error), "delete stream");
  }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::atomic<int> failed_{0};
};

struct Result {
  bool ok = false;
  double aggregate = 0;               // messages/s, all processes
  std::vector<double> per_process{};  // each one's share / the run's time
  double seconds = 0;
  std::uint64_t batches = 0;          // handler calls (floor: fetches) that counted
  std::uint64_t fetches = 0;          // fetch requests that brought messages, before the end
  std::uint64_t fetched = 0;          // messages they brought
  std::uint64_t asked = 0;            // messages they asked for
  std::uint64_t fetch_ns = 0;         // time spent in them
  std::uint64_t empty = 0;            // fetches that brought none
  std::uint64_t server_cpu_ns = 0;    // the server's CPU time during the run (0: not ours)
  std::uint64_t consumer_cpu_ns = 0;  // the consumers', together
};

struct Runner {
  const Server& server;
  std::string exe;
  std::filesystem::path dir;
  std::string url;
  Raw& raw;
  JetStream& js;
  std::uint64_t messages;
  int run = 0;

  Result measure(const std::string& mode, int processes) {
    const Settings s = parse_mode(mode);
    const Names names = names_of(++run);
    // No process may run dry before the last counted message: each holds up to a few hundred
    // (prefetched, in batches being run).
    const std::uint64_t padding = 2000 * static_cast<std::uint64_t>(processes) + messages / 50;
    if (s.base == "async" || s.events) {
      auto queues = jetstream_async_queues(js, {.stream = names.stream,
                                                .subject_prefix = names.prefix,
                                                .max_ack_pending = s.max_ack_pending});
      if (!queues) die("jetstream_async_queues: " + queues.error().message);
      // floor+events=1: the raw client reads the events, through a consumer like the queue's.
      const std::string subject = names.prefix + ".sink.LATEST";
      if (s.base == "floor") raw.add_consumer(names.stream, subject, s.max_ack_pending);
      raw.publish(subject, messages + padding, true, static_cast<std::uint64_t>(run));
    } else {
      // The stream and its durable consumer, as the queue source makes them (the floor reads
      // through the same consumer).
      if (s.max_ack_pending != 0) {
        raw.add_stream(names.stream);
        raw.add_consumer(names.stream, "", s.max_ack_pending);
      }
      auto source = jetstream_queue_source(js, {.stream = names.stream});
      if (!source) die("jetstream_queue_source: " + source.error().message);
      raw.publish(names.stream, messages + padding, false, 0);
    }
    if (raw.messages(names.stream) != messages + padding) die("the stream lost messages");

    const std::string file = (dir / "shared").string();
    Shared& shared = *map_shared(file, true);
    shared.target = messages;
    std::vector<pid_t> pids;
    const std::string run_id = std::to_string(run);
    for (int p = 0; p < processes; ++p) {
      // Made before the fork: the child of a threaded process only calls exec.
      const std::string slot = std::to_string(p);
      const pid_t parent = ::getpid();
      const pid_t pid = ::fork();
      if (pid < 0) die("fork failed");
      if (pid == 0) {
        // Killed with the runner, whatever ends it.
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
        ::execl(exe.c_str(), exe.c_str(), "consume", mode.c_str(), url.c_str(), run_id.c_str(),
                file.c_str(), slot.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
      pids.push_back(pid);
    }
    Result result;
    const auto give_up = steady::now() + 30s + std::chrono::milliseconds(messages / 10);
    const auto any_failed = [&] {
      for (int p = 0; p < processes; ++p) {
        if (shared.slots[static_cast<std::size_t>(p)].failed.load() != 0) return true;
      }
      return false;
    };
    const auto all_ready = [&] {
      for (int p = 0; p < processes; ++p) {
        if (shared.slots[static_cast<std::size_t>(p)].ready.load() == 0) return false;
      }
      return true;
    };
    bool ok = true;
    while (ok && !all_ready()) {
      std::this_thread::sleep_for(1ms);
      ok = !any_failed() && steady::now() < give_up;
    }
    std::int64_t server_cpu = 0;
    if (ok) {
      server_cpu = server.cpu_ns();
      shared.start_ns.store(now_ns(), std::memory_order_release);
      while (ok && shared.end_ns.load(std::memory_order_acquire) == 0) {
        std::this_thread::sleep_for(1ms);
        ok = !any_failed() && steady::now() < give_up;
      }
      server_cpu = server.cpu_ns() - server_cpu;
    }
    shared.stop.store(1, std::memory_order_release);
    // Exited children are reaped; one that does not end within 10 s is killed (it is ours).
    const auto reap_until = steady::now() + 10s;
    for (const pid_t pid : pids) {
      int status = 0;
      while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (steady::now() > reap_until) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, &status, 0);
          ok = false;
          break;
        }
        std::this_thread::sleep_for(1ms);
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
    }
    if (ok) {
      result.ok = true;
      result.seconds = static_cast<double>(shared.end_ns.load() - shared.start_ns.load()) / 1e9;
      result.aggregate = static_cast<double>(messages) / result.seconds;
      result.server_cpu_ns = static_cast<std::uint64_t>(server_cpu);
      for (int p = 0; p < processes; ++p) {
        const Slot& slot = shared.slots[static_cast<std::size_t>(p)];
        result.per_process.push_back(static_cast<double>(slot.counted.load()) / result.seconds);
        result.batches += slot.batches.load();
        result.fetches += slot.fetches.load();
        result.fetched += slot.fetched.load();
        result.asked += slot.asked.load();
        result.fetch_ns += slot.fetch_ns.load();
        result.empty += slot.empty.load();
        result.consumer_cpu_ns += slot.cpu_ns.load();
      }
    } else {
      std::fprintf(stderr, "%s with %d processes: the run failed or took too long\n", mode.c_str(),
                   processes);
    }
    ::munmap(&shared, sizeof(Shared));
    raw.delete_stream(names.stream);
    return result;
  }
};

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
    std::map<std::string, std::map<int, std::vector<Result>>> results;
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

    std::printf(
        "JetStream consumers on one local nats-server: %lld messages of %zu bytes per run, "
        "median of %d runs (modes alternating); %.0f s in all\n\n",
        messages, body_bytes, reps, took);
    // The run whose aggregate is the median of its mode's, or null when every one failed.
    const auto median_run = [&](const std::string& mode, int p) -> const Result* {
      std::vector<double> rates;
      for (const Result& one : results[mode][p]) {
        if (one.ok) rates.push_back(one.aggregate);
      }
      if (rates.empty()) return nullptr;
      const double rate = median(rates);
      for (const Result& one : results[mode][p]) {
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
                    thousands(rate).c_str(), thousands(rate / p).c_str(),
                    thousands(*slowest).c_str(), thousands(*fastest).c_str(),
                    floor_rate == 0 ? 0.0 : rate / floor_rate);
      }
    }
    std::printf(
        "\nfloor: the raw C client (fetch of 100, an ack each); queue: an event source mapping "
        "on jetstream_queue_source (batch size 100, window 1 s, 5 pollers, prefetch 256); "
        "floor+events=1: the same raw client reading messages in the durable event queue's "
        "format (its headers); async: jetstream_async_queues (max_in_flight 64), a handler per "
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
        std::printf("| %s | %d | %.1f | %s | %.1f (%.1f) | %.0f | %llu | %.1f, %.1f |\n",
                    mode.c_str(), p, ratio(messages, mid->batches),
                    thousands(static_cast<double>(mid->fetches) / mid->seconds).c_str(),
                    ratio(mid->fetched, mid->fetches), ratio(mid->asked, mid->fetches),
                    ratio(mid->fetch_ns, mid->fetches) / 1000,
                    static_cast<unsigned long long>(mid->empty),
                    ratio(mid->server_cpu_ns, messages) / 1000,
                    ratio(mid->consumer_cpu_ns, messages) / 1000);
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
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "consume") return consume(argc, argv);
  return run_bench(argc, argv);
}
