// Event source mapping throughput: records per second through an in-memory queue or stream,
// at several batch sizes, beside the floor of a hand-written poll / call / delete loop over
// the same queue (no engine). Median of repetitions; every row in one run.
//
//   build/bench/nanofaas_bench_mapping [repetitions [row-name-substring]]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "nanofaas/json.hpp"
#include "nanofaas/nanofaas.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// A ~150-byte JSON body, like a small order event.
std::string json_body(std::uint64_t i) {
  std::string s = R"({"id":)" + std::to_string(i);
  s += R"(,"type":"order","region":"eu-west-1","customer":{"tier":"gold","since":2019},)";
  s += R"("items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"total":129.5})";
  return s;
}

std::shared_ptr<Queue> filled_queue(std::uint64_t n, bool json) {
  auto q = Queue::create({.name = "bench", .max_messages = n});
  if (!q) std::abort();
  std::vector<Payload> batch;
  for (std::uint64_t i = 0; i < n;) {
    batch.clear();
    for (std::uint64_t k = 0; k < 1000 && i < n; ++k, ++i) {
      batch.push_back(json ? Payload::copy_of(json_body(i)) : Payload::copy_of("x"));
    }
    if ((*q)->send_batch(batch) != batch.size()) std::abort();
  }
  return *q;
}

std::shared_ptr<Stream> filled_stream(std::uint64_t n, std::uint32_t shards) {
  auto s = Stream::create({.name = "bench", .shards = shards, .max_records_per_shard = n});
  if (!s) std::abort();
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!(*s)->put_record(std::to_string(i % 256), Payload::copy_of("x"))) std::abort();
  }
  return *s;
}

/// Records per second for a mapping draining `source` of `n` records with `batch_size`.
/// `parse`: the handler parses every record's JSON body in place.
double mapping_rate(const std::shared_ptr<Source>& source, std::uint64_t n,
                    std::uint32_t batch_size, bool parse) {
  auto engine = Engine::create({.workers = 2});
  if (!engine) std::abort();
  std::atomic<std::uint64_t> seen{0};
  std::atomic<std::uint64_t> checksum{0};
  auto added = engine->add_function({.name = "sink"}, [&](const Event& e, Context& ctx) {
    std::uint64_t sum = 0;
    if (parse) {
      auto& scratch = ctx.local<JsonScratch>();
      for (const Record& r : e.records()) {
        auto doc = parse_json(r.body, scratch);
        std::uint64_t id = 0;
        if (doc["id"].get_uint64().get(id) == simdjson::SUCCESS) sum += id;
      }
    }
    checksum.fetch_add(sum, std::memory_order_relaxed);
    seen.fetch_add(e.records().size(), std::memory_order_relaxed);
    return Response();
  });
  if (!added) std::abort();
  EventSourceMappingConfig config{
      .source = source, .function_name = "sink", .batch_size = batch_size};
  if (source->kind() == SourceKind::stream) {
    config.starting_position = StartingPosition::trim_horizon;
  } else {
    config.maximum_concurrency = 2;
    // Lambda's rule for batches over 10; a full queue fills every batch before it ends.
    if (batch_size > 10) config.maximum_batching_window = std::chrono::seconds(1);
  }
  const auto start = steady::now();
  auto uuid = engine->create_event_source_mapping(config);
  if (!uuid) std::abort();
  while (seen.load(std::memory_order_relaxed) < n) std::this_thread::yield();
  const auto elapsed = std::chrono::duration<double>(steady::now() - start).count();
  return static_cast<double>(n) / elapsed;
}

/// The floor: one thread polls the same queue, calls a trivial function on each batch, and
/// deletes it. No engine, no concurrency control, no fibers.
double floor_rate(std::uint64_t n, std::uint32_t batch_size) {
  auto queue = filled_queue(n, false);
  auto reader = queue->open({});
  if (!reader) std::abort();
  std::vector<Record> records;
  std::uint64_t seen = 0;
  const auto start = steady::now();
  while (seen < n) {
    records.clear();
    (*reader)->poll(0, batch_size, records);
    seen += records.size();
    (*reader)->ack(records);
  }
  const auto elapsed = std::chrono::duration<double>(steady::now() - start).count();
  return static_cast<double>(n) / elapsed;
}

template <class F>
double median_of(int repetitions, F f) {
  std::vector<double> v;
  for (int i = 0; i < repetitions; ++i) v.push_back(f());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void row(const char* name, double rate) {
  std::printf("| %s | %.2f M/s | %.0f ns |\n", name, rate / 1e6, 1e9 / rate);
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string only = argc > 2 ? argv[2] : "";  // run only rows whose name contains it
  const auto wanted = [&](const std::string& name) {
    return only.empty() || name.find(only) != std::string::npos;
  };
  std::printf("Event source mapping throughput, median of %d runs (2 workers)\n\n", reps);
  std::printf("| workload | records/s | per record |\n|---|---|---|\n");
  for (std::uint32_t batch : {1u, 10u, 100u, 1000u}) {
    const std::uint64_t n = batch == 1 ? 200'000 : 2'000'000;
    const std::string name = "queue, batch " + std::to_string(batch);
    if (wanted(name))
      row(name.c_str(),
          median_of(reps, [&] { return mapping_rate(filled_queue(n, false), n, batch, false); }));
  }
  if (wanted("floor"))
    row("floor: poll/call/delete loop, batch 100",
        median_of(reps, [&] { return floor_rate(2'000'000, 100); }));
  if (wanted("JSON"))
    row("queue, batch 100, ~150 B JSON parsed per record", median_of(reps, [&] {
          return mapping_rate(filled_queue(1'000'000, true), 1'000'000, 100, true);
        }));
  if (wanted("stream"))
    row("stream, 4 shards, batch 100", median_of(reps, [&] {
          return mapping_rate(filled_stream(2'000'000, 4), 2'000'000, 100, false);
        }));
  return 0;
}
