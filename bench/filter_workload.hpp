#pragma once
// The filter workload shared by the filter benchmark and the instruction-count gate: five
// patterns of the kinds event source mappings use, and ~160-byte JSON order records.

#include <simdjson.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using namespace std::string_view_literals;

inline constexpr std::size_t kRecords = 1024;

// Five patterns of the kinds event source mappings use: exact values, nested keys, prefix,
// numeric ranges, anything-but, arrays, a wildcard.
inline constexpr std::string_view kPatterns[] = {
    R"({"type": ["OrderCancelled"], "customer": {"tier": ["platinum"]}})",
    R"({"region": [{"prefix": "eu-"}], "amount": [{"numeric": [">", 1000]}]})",
    R"({"source": ["payments"], "tags": ["fraud"]})",
    R"({"customer": {"country": [{"anything-but": ["DE", "FR", "US"]}]},
        "items": [{"numeric": [">=", 10]}]})",
    R"({"type": [{"wildcard": "Refund*Issued"}]})",
};

// The fields of one record.
struct Order {
  std::string_view source, type, region, amount, items, tags, tier, country;
};

// Each matches one pattern (in order).
inline constexpr Order kMatching[] = {
    {"orders", "OrderCancelled", "us-east-1", "120.5", "3", R"("new","vip")", "platinum", "DE"},
    {"orders", "OrderPlaced", "eu-west-1", "1520.0", "2", R"("new")", "gold", "DE"},
    {"payments", "PaymentFailed", "us-east-2", "99.9", "1", R"("retry","fraud")", "basic", "US"},
    {"orders", "OrderPlaced", "ap-south-1", "75.25", "12", "", "gold", "IN"},
    {"payments", "RefundCardIssued", "us-west-2", "30.0", "1", R"("card")", "basic", "FR"},
};
// Each misses the pattern above it narrowly.
inline constexpr Order kOther[] = {
    {"orders", "OrderPlaced", "us-east-1", "120.5", "3", R"("new","vip")", "gold", "DE"},
    {"orders", "OrderShipped", "eu-west-1", "520.0", "2", R"("new")", "gold", "FR"},
    {"payments", "PaymentSettled", "us-east-2", "99.9", "1", R"("retry")", "basic", "US"},
    {"orders", "OrderPlaced", "ap-south-1", "75.25", "4", "", "gold", "IN"},
    {"payments", "RefundRequested", "us-west-2", "30.0", "1", R"("card")", "basic", "US"},
};

inline std::string to_json(std::size_t id, const Order& o) {
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
inline std::vector<std::string> filter_records(int match_percent) {
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

}  // namespace bench
