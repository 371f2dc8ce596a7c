// Event filter throughput: a 5-pattern FilterCriteria over ~150-byte JSON records, against the
// floor of parsing each record with simdjson on-demand and reading one field.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/filter.hpp"

namespace {

using namespace std::string_view_literals;

constexpr std::size_t kRecords = 1024;

// Five patterns of the kinds event source mappings use: exact values, nested keys, prefix,
// numeric ranges, anything-but, arrays, a wildcard.
constexpr std::string_view kPatterns[] = {
    R"({"type": ["OrderCancelled"], "customer": {"tier": ["platinum"]}})",
    R"({"region": [{"prefix": "eu-"}], "amount": [{"numeric": [">", 1000]}]})",
    R"({"source": ["payments"], "tags": ["fraud"]})",
    R"({"customer": {"country": [{"anything-but": ["DE", "FR", "US"]}]},
        "items": [{"numeric": [">=", 10]}]})",
    R"({"type": [{"wildcard": "Refund*Issued"}]})",
};

const nanofaas::FilterCriteria& five_patterns() {
  static const auto filter = nanofaas::FilterCriteria::compile(kPatterns).value();
  return filter;
}

// The fields of one record.
struct Order {
  std::string_view source, type, region, amount, items, tags, tier, country;
};

// Each matches one pattern (in order).
constexpr Order kMatching[] = {
    {"orders", "OrderCancelled", "us-east-1", "120.5", "3", R"("new","vip")", "platinum", "DE"},
    {"orders", "OrderPlaced", "eu-west-1", "1520.0", "2", R"("new")", "gold", "DE"},
    {"payments", "PaymentFailed", "us-east-2", "99.9", "1", R"("retry","fraud")", "basic", "US"},
    {"orders", "OrderPlaced", "ap-south-1", "75.25", "12", "", "gold", "IN"},
    {"payments", "RefundCardIssued", "us-west-2", "30.0", "1", R"("card")", "basic", "FR"},
};
// Each misses the pattern above it narrowly.
constexpr Order kOther[] = {
    {"orders", "OrderPlaced", "us-east-1", "120.5", "3", R"("new","vip")", "gold", "DE"},
    {"orders", "OrderShipped", "eu-west-1", "520.0", "2", R"("new")", "gold", "FR"},
    {"payments", "PaymentSettled", "us-east-2", "99.9", "1", R"("retry")", "basic", "US"},
    {"orders", "OrderPlaced", "ap-south-1", "75.25", "4", "", "gold", "IN"},
    {"payments", "RefundRequested", "us-west-2", "30.0", "1", R"("card")", "basic", "US"},
};

std::string to_json(std::size_t id, const Order& o) {
  const std::string number = std::to_string(100000 + id);
  std::string json = R"({"id":")";
  for (const std::string_view piece :
       {std::string_view(number), R"(","source":")"sv, o.source, R"(","type":")"sv, o.type,
        R"(","region":")"sv, o.region, R"(","amount":)"sv, o.amount, R"(,"items":)"sv, o.items,
        R"(,"tags":[)"sv, o.tags, R"(],"customer":{"tier":")"sv, o.tier, R"(","country":")"sv,
        o.country, R"("}})"sv}) {
    json += piece;
  }
  return json;
}

// `kRecords` records of about 160 bytes; `match_percent` of them match one of the patterns.
// Each string has SIMDJSON_PADDING bytes of spare capacity.
std::vector<std::string> records(int match_percent) {
  std::mt19937 rng(7);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kRecords; ++i) {
    const bool match = static_cast<int>(rng() % 100) < match_percent;
    std::string record = to_json(i, (match ? kMatching : kOther)[rng() % 5]);
    record.reserve(record.size() + simdjson::SIMDJSON_PADDING);
    out.push_back(std::move(record));
  }
  return out;
}

void set_counters(benchmark::State& state, const std::vector<std::string>& batch,
                  std::size_t matched) {
  std::size_t bytes = 0;
  for (const auto& r : batch) bytes += r.size();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["bytes_per_record"] = static_cast<double>(bytes) / batch.size();
  state.counters["matched_percent"] =
      100.0 * static_cast<double>(matched) / static_cast<double>(state.iterations());
}

// Records handed over with their spare capacity: parsed in place.
void BM_FilterPadded(benchmark::State& state) {
  const auto& filter = five_patterns();
  const auto batch = records(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const std::string& record = batch[i++ % kRecords];
    const bool m = filter.matches(record, record.capacity());
    benchmark::DoNotOptimize(m);
    matched += m;
  }
  set_counters(state, batch, matched);
}
BENCHMARK(BM_FilterPadded)->Arg(0)->Arg(50)->Arg(100);

// Records without a stated capacity: copied into the thread's padded buffer first.
void BM_FilterCopied(benchmark::State& state) {
  const auto& filter = five_patterns();
  const auto batch = records(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const bool m = filter.matches(batch[i++ % kRecords]);
    benchmark::DoNotOptimize(m);
    matched += m;
  }
  set_counters(state, batch, matched);
}
BENCHMARK(BM_FilterCopied)->Arg(0)->Arg(50)->Arg(100);

// The floor: open each padded record with simdjson on-demand and read one field.
void BM_ParseOneField(benchmark::State& state) {
  const auto batch = records(50);
  simdjson::ondemand::parser parser;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& record = batch[i++ % kRecords];
    std::string_view type;
    auto doc = parser.iterate(record.data(), record.size(), record.capacity());
    const auto error = doc["type"].get_string().get(type);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(type);
  }
  set_counters(state, batch, 0);
}
BENCHMARK(BM_ParseOneField);

}  // namespace
