#include "runtime/tick_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace {

using nanofaas::detail::TickClock;

/// A counter (3 ticks per ns unless changed) and a steady clock, both moved by hand; counts
/// the steady reads.
struct FakeTime {
  std::int64_t ns = 1'000'000;
  double ticks_per_ns = 3;
  std::int64_t tick_offset = 0;
  int steady_reads = 0;

  auto ticks() {
    return [this] {
      return static_cast<std::uint64_t>(static_cast<double>(ns) * ticks_per_ns) + tick_offset;
    };
  }
  auto steady() {
    return [this] {
      ++steady_reads;
      return ns;
    };
  }
};

/// One thread's view of an estimator.
struct Reader {
  TickClock::Estimator& clock;
  FakeTime& time;
  TickClock::Anchor anchor{};
  std::int64_t last = 0;
  std::int64_t read() { return clock.now(time.ticks(), time.steady(), anchor, last); }
};

constexpr std::int64_t period = std::chrono::nanoseconds(TickClock::anchor_period).count();

/// An estimator, its time sources, and one reader.
class TickClockTest : public ::testing::Test {
 protected:
  /// Anchors, then a period later measures the rate.
  void measure_rate() {
    (void)r.read();
    time.ns += period;
    (void)r.read();
  }

  TickClock::Estimator clock;
  FakeTime time;
  Reader r{clock, time};
};

TEST_F(TickClockTest, ReadsTheSteadyClockUntilTheRateIsMeasured) {
  for (int i = 0; i < 5; ++i) {
    time.ns += period / 10;
    EXPECT_EQ(r.read(), time.ns);
  }
  EXPECT_EQ(time.steady_reads, 5);
}

TEST_F(TickClockTest, ExtrapolatesWithinAPeriodOnceTheRateIsKnown) {
  measure_rate();
  const int reads = time.steady_reads;
  for (int i = 1; i < 10; ++i) {
    time.ns += period / 20;
    EXPECT_NEAR(static_cast<double>(r.read()), static_cast<double>(time.ns), 1.0);
  }
  EXPECT_EQ(time.steady_reads, reads) << "no steady read within a period";
  time.ns += period;  // a period past the anchor: anchored again
  EXPECT_EQ(r.read(), time.ns);
  EXPECT_EQ(time.steady_reads, reads + 1);
}

TEST_F(TickClockTest, AnotherThreadUsesTheMeasuredRateFromItsOwnAnchor) {
  measure_rate();
  Reader second{clock, time};
  time.ns += 12345;
  EXPECT_EQ(second.read(), time.ns);  // its first read anchors it
  time.ns += period / 3;
  EXPECT_NEAR(static_cast<double>(second.read()), static_cast<double>(time.ns), 1.0);
}

TEST_F(TickClockTest, AThreadsReadingsNeverGoBackwards) {
  measure_rate();
  // The counter runs 1% fast from here: extrapolations run ahead of the steady clock, which
  // each new anchor then reads as earlier than the last reading.
  time.tick_offset = -static_cast<std::int64_t>(static_cast<double>(time.ns) * 0.03);
  time.ticks_per_ns = 3.03;
  std::int64_t previous = 0;
  for (int i = 0; i < 200; ++i) {
    time.ns += period / 50;
    const std::int64_t t = r.read();
    EXPECT_GE(t, previous);
    previous = t;
  }
}

TEST_F(TickClockTest, ACounterThatWentBackwardsIsAnchoredAgain) {
  measure_rate();
  const int reads = time.steady_reads;
  time.ns += 10;
  time.tick_offset = -1000;
  EXPECT_EQ(r.read(), time.ns);
  EXPECT_EQ(time.steady_reads, reads + 1);
}

TEST(TickClockRealTest, TheRealClockNeverGoesBackwardsNorFallsBehindTheSteadyClock) {
  // Ordering only, no durations: a steady reading taken just before is never later than
  // this clock's reading after it, beyond the rate's error over one period.
  std::chrono::steady_clock::time_point previous{};
  for (int i = 0; i < 200000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto t = TickClock::now();
    EXPECT_GE(t, previous);
    EXPECT_GE(t - before, -std::chrono::microseconds(100));
    previous = t;
    if (HasFailure()) break;
  }
}

}  // namespace
