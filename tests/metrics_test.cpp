#include "nanofaas/metrics.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <type_traits>
#include <utility>

namespace {

using nanofaas::DurationHistogram;
using std::chrono::nanoseconds;

TEST(MetricsTest, BucketsAreExactBelowSixteenThenLogLinear) {
  for (std::int64_t v = 0; v < 16; ++v) {
    EXPECT_EQ(DurationHistogram::bucket_upper(DurationHistogram::bucket_of(v)), v);
  }
  for (std::int64_t v : {16LL, 17LL, 100LL, 1000LL, 123456LL, 987654321LL}) {
    const auto b = DurationHistogram::bucket_of(v);
    const auto upper = DurationHistogram::bucket_upper(b);
    EXPECT_GE(upper, v);
    EXPECT_LE(upper - v, v / 16 + 1) << v;  // within one sub-bucket (~6%)
    if (b > 0) {
      EXPECT_LT(DurationHistogram::bucket_upper(b - 1), v);
    }
  }
}

TEST(MetricsTest, PercentilesFollowTheSamples) {
  DurationHistogram h;
  for (int i = 1; i <= 100; ++i) h.record(nanoseconds(i * 1000));
  EXPECT_EQ(h.count(), 100u);
  EXPECT_NEAR(static_cast<double>(h.p50().count()), 50000.0, 50000.0 * 0.07);
  EXPECT_NEAR(static_cast<double>(h.p99().count()), 99000.0, 99000.0 * 0.07);
  DurationHistogram other;
  other.record(nanoseconds(5));
  h.merge(other);
  EXPECT_EQ(h.count(), 101u);
  EXPECT_EQ(DurationHistogram().p99().count(), 0);
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
  // 1001 shares 1000's bucket (within ~6%), so it counts too; 50 us does not.
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
