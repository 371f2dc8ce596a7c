#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "source/deadlines.hpp"
#include "source/slot_arena.hpp"

namespace nanofaas::detail {
namespace {

using std::chrono::seconds;

Clock::time_point at(seconds s) {
  return Clock::time_point(s);
}

// Pops every slot due at `now`.
std::vector<std::uint32_t> pop_all(Deadlines& deadlines, SlotArena& slots, Clock::time_point now) {
  std::vector<std::uint32_t> due;
  for (;;) {
    const std::uint32_t i = deadlines.pop_due(slots, now);
    if (i == no_slot) return due;
    due.push_back(i);
  }
}

TEST(DeadlinesTest, InOrderDeadlinesComeOutOfTheListFirstThenTheHeapByDeadline) {
  SlotArena slots;
  std::vector<std::uint32_t> s;
  for (int k = 0; k < 5; ++k) s.push_back(slots.allocate());
  Deadlines deadlines;
  EXPECT_EQ(deadlines.earliest_ticks(slots), std::numeric_limits<std::int64_t>::max());
  deadlines.arm(slots, s[0], at(seconds(5)), true);
  deadlines.arm(slots, s[1], at(seconds(7)), true);
  deadlines.arm(slots, s[2], at(seconds(6)), true);  // before the list's last: the heap
  deadlines.arm(slots, s[3], at(seconds(2)), false);
  deadlines.arm(slots, s[4], at(seconds(9)), false);
  EXPECT_EQ(deadlines.earliest_ticks(slots), at(seconds(2)).time_since_epoch().count());
  EXPECT_EQ(pop_all(deadlines, slots, at(seconds(1))), std::vector<std::uint32_t>{});
  EXPECT_EQ(pop_all(deadlines, slots, at(seconds(7))),
            (std::vector<std::uint32_t>{s[0], s[1], s[3], s[2]}));
  deadlines.disarm(slots, s[4]);
  EXPECT_EQ(pop_all(deadlines, slots, at(seconds(100))), std::vector<std::uint32_t>{});
}

TEST(DeadlinesTest, RandomArmsAndDisarmsPopEachDueSlotOnce) {
  SlotArena slots;
  Deadlines deadlines;
  std::mt19937 rng(7);
  std::vector<std::uint32_t> armed;
  std::vector<int> due_at(3000, -1);
  for (int k = 0; k < 3000; ++k) {
    const std::uint32_t i = slots.allocate();
    const int second = static_cast<int>(rng() % 1000);
    deadlines.arm(slots, i, at(seconds(second)), rng() % 2 == 0);
    armed.push_back(i);
    due_at[i] = second;
  }
  for (int k = 0; k < 1000; ++k) {  // disarm a third, from anywhere in the list or heap
    const std::size_t pick = rng() % armed.size();
    deadlines.disarm(slots, armed[pick]);
    due_at[armed[pick]] = -1;
    armed[pick] = armed.back();
    armed.pop_back();
  }
  std::size_t popped = 0;
  for (int now = 0; now < 1000; now += 10) {
    for (std::uint32_t i : pop_all(deadlines, slots, at(seconds(now)))) {
      ASSERT_NE(due_at[i], -1);
      ASSERT_LE(due_at[i], now);
      ASSERT_GT(due_at[i], now - 10);  // not left behind in an earlier pop
      due_at[i] = -1;
      ++popped;
    }
  }
  EXPECT_EQ(popped + pop_all(deadlines, slots, at(seconds(1000))).size(), armed.size());
}

}  // namespace
}  // namespace nanofaas::detail
