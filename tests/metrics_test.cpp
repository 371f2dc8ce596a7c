#include "nanofaas/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using nanofaas::DurationHistogram;
using std::chrono::nanoseconds;

TEST(MetricsTest, BucketsAreExactBelowSixtyFourThenLogLinear) {
  for (std::int64_t v = 0; v < 64; ++v) {
    const auto b = DurationHistogram::bucket_of(v);
    EXPECT_EQ(DurationHistogram::bucket_lower(b), v);
    EXPECT_EQ(DurationHistogram::bucket_upper(b), v);
  }
  EXPECT_EQ(DurationHistogram::bucket_of(-3), 0u);
  for (std::int64_t v : {64LL, 65LL, 100LL, 1000LL, 123456LL, 987654321LL, 3'600'000'000'000LL}) {
    const auto b = DurationHistogram::bucket_of(v);
    EXPECT_LE(DurationHistogram::bucket_lower(b), v);
    EXPECT_GE(DurationHistogram::bucket_upper(b), v);
    // One sub-bucket is at most 1/64 of its lower bound, so its midpoint is within 1/128.
    const auto width = DurationHistogram::bucket_upper(b) - DurationHistogram::bucket_lower(b) + 1;
    EXPECT_LE(width * 64, DurationHistogram::bucket_lower(b)) << v;
    EXPECT_EQ(DurationHistogram::bucket_upper(b - 1) + 1, DurationHistogram::bucket_lower(b));
  }
  // Beyond the range, everything counts in the last bucket.
  EXPECT_EQ(DurationHistogram::bucket_of(std::numeric_limits<std::int64_t>::max()),
            DurationHistogram::bucket_count - 1);
}

// The exact sample at the rank `percentile` uses, from sorted samples.
std::int64_t exact_percentile(std::vector<std::int64_t> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()));
  return sorted[std::min(rank, sorted.size() - 1)];
}

// Lambda's percentiles within 1% of the exact ones, on distributions shaped like latencies.
TEST(MetricsTest, PercentilesAreWithinOnePercentOnKnownDistributions) {
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> uniform(1e3, 1e7);
  std::exponential_distribution<double> exponential(1.0 / 50e3);
  std::lognormal_distribution<double> lognormal(std::log(200e3), 1.5);
  std::uniform_int_distribution<int> coin(0, 9);
  const std::vector<std::pair<const char*, std::function<double()>>> shapes{
      {"uniform", [&] { return uniform(random); }},
      {"exponential", [&] { return exponential(random); }},
      {"lognormal", [&] { return lognormal(random); }},
      // A fast path and a slow tail: 90% near 20 us, 10% near 30 ms.
      {"bimodal",
       [&] { return coin(random) == 0 ? 30e6 + uniform(random) : 20e3 + uniform(random) / 1e3; }},
  };
  for (const auto& [name, draw] : shapes) {
    DurationHistogram h;
    std::vector<std::int64_t> samples;
    for (int i = 0; i < 200'000; ++i) {
      samples.push_back(static_cast<std::int64_t>(draw()));
      h.record(nanoseconds(samples.back()));
    }
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
      const auto exact = static_cast<double>(exact_percentile(samples, q));
      EXPECT_NEAR(static_cast<double>(h.percentile(q).count()), exact, exact * 0.01)
          << name << " p" << q * 100;
    }
  }
}

TEST(MetricsTest, PercentilesMergeAndEmpty) {
  DurationHistogram h;
  for (int i = 1; i <= 100; ++i) h.record(nanoseconds(i * 1000));
  EXPECT_EQ(h.count(), 100u);
  EXPECT_NEAR(static_cast<double>(h.p50().count()), 51000.0, 51000.0 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.p99().count()), 100000.0, 100000.0 * 0.01);
  DurationHistogram other;
  other.record(nanoseconds(5));
  other.record(nanoseconds(7'000'000'000));
  h.merge(other);
  EXPECT_EQ(h.count(), 102u);
  EXPECT_EQ(h.percentile(0).count(), 5);
  EXPECT_NEAR(static_cast<double>(h.percentile(1).count()), 7e9, 7e9 * 0.01);
  EXPECT_EQ(DurationHistogram().p99().count(), 0);
  EXPECT_EQ(DurationHistogram().count_in(100), 0u);
  h.record(nanoseconds(1000), 3);
  EXPECT_EQ(h.count_in(DurationHistogram::bucket_of(1000)), 4u);
}

// Bad input to a histogram gives a defined answer: the sum saturates instead of overflowing,
// and a percentile outside 0..1 (or NaN) is clamped.
TEST(MetricsTest, SumSaturatesAndPercentileClamps) {
  DurationHistogram h;
  h.record(nanoseconds::max(), 3);
  EXPECT_EQ(h.sum(), nanoseconds::max());
  h.record(nanoseconds(5));
  EXPECT_EQ(h.sum(), nanoseconds::max());
  EXPECT_EQ(h.count(), 4u);
  DurationHistogram other;
  other.record(nanoseconds::max());
  h.merge(other);
  EXPECT_EQ(h.sum(), nanoseconds::max());
  EXPECT_EQ(h.percentile(std::numeric_limits<double>::quiet_NaN()).count(), 5);
  EXPECT_EQ(h.percentile(-3).count(), 5);
  EXPECT_EQ(h.percentile(1e30), h.percentile(1.0));
}

// Prometheus' `le` buckets and `_sum`: every sample at or below a bound counts, and the sum is
// exact where the buckets are not.
TEST(MetricsTest, CountAtMostAndSumServeCumulativeBuckets) {
  DurationHistogram h;
  EXPECT_EQ(h.count_at_most(nanoseconds(1000)), 0u);
  for (std::int64_t v : {3LL, 999LL, 1000LL, 1001LL, 50000LL, 2000000LL}) h.record(nanoseconds(v));
  h.record(nanoseconds(-5));  // counted as zero
  EXPECT_EQ(h.count_at_most(nanoseconds(-1)), 0u);
  EXPECT_EQ(h.count_at_most(nanoseconds(0)), 1u);
  EXPECT_EQ(h.count_at_most(nanoseconds(3)), 2u);
  // 1001 shares 1000's bucket (within 1/64), so it counts too; 50 us does not.
  EXPECT_EQ(h.count_at_most(nanoseconds(1000)), 5u);
  EXPECT_EQ(h.count_at_most(nanoseconds(60000)), 6u);
  EXPECT_EQ(h.count_at_most(nanoseconds(10'000'000'000)), h.count());
  EXPECT_EQ(h.sum(), nanoseconds(3 + 999 + 1000 + 1001 + 50000 + 2000000));
  DurationHistogram other;
  other.record(nanoseconds(7));
  h.merge(other);
  EXPECT_EQ(h.sum(), nanoseconds(3 + 999 + 1000 + 1001 + 50000 + 2000000 + 7));
}

// `engine.metrics().find(...)` on the temporary snapshot gives the entry itself: a pointer
// into the temporary would dangle past the statement.
TEST(MetricsSnapshotTest, FindOnATemporaryOwnsTheEntry) {
  using nanofaas::FunctionMetrics;
  using nanofaas::MetricsSnapshot;
  static_assert(std::is_same_v<decltype(std::declval<MetricsSnapshot>().find("f")),
                               std::optional<FunctionMetrics>>);
  static_assert(std::is_same_v<decltype(std::declval<const MetricsSnapshot&>().find("f")),
                               const FunctionMetrics*>);
  const auto make = [] {
    MetricsSnapshot snapshot;
    snapshot.functions.push_back({.function_name = "f", .version = "$LATEST", .invocations = 7});
    return snapshot;
  };
  const auto owned = make().find("f");
  ASSERT_TRUE(owned);
  EXPECT_EQ(owned->invocations, 7u);
  EXPECT_FALSE(make().find("g"));
  const MetricsSnapshot kept = make();
  ASSERT_NE(kept.find("f"), nullptr);
  EXPECT_EQ(kept.find("f")->invocations, 7u);
}

}  // namespace
