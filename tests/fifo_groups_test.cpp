#include <gtest/gtest.h>

#include <cstdint>
#include <new>

#include "source/fifo_groups.hpp"
#include "source/slot_arena.hpp"

namespace nanofaas::detail {
namespace {

class FifoGroupsTest : public ::testing::Test {
 protected:
  // Appends a message in `state` to group `g`; returns its slot (with a body, as the arena
  // expects of a slot in use).
  std::uint32_t add(std::uint32_t g, SlotState state) {
    const std::uint32_t i = slots.allocate();
    new (&slots[i].body) Payload();
    slots[i].state = state;
    groups.push_back(slots, g, i);
    return i;
  }

  SlotArena slots;
  FifoGroups groups;
};

TEST_F(FifoGroupsTest, GroupsWithAVisibleHeadAndNothingInFlightAreReadyOldestFirst) {
  const std::uint32_t a = groups.find_or_add("a");
  const std::uint32_t b = groups.find_or_add("b");
  EXPECT_EQ(groups.find_or_add("a"), a);
  EXPECT_NE(a, b);
  add(b, SlotState::visible);
  EXPECT_TRUE(groups.update(b, slots));
  EXPECT_FALSE(groups.update(b, slots));  // ready already
  add(a, SlotState::delayed);
  EXPECT_FALSE(groups.update(a, slots));  // its head is not visible
  EXPECT_EQ(groups.ready_count(), 1u);
  const std::uint32_t c = groups.find_or_add("c");
  add(c, SlotState::visible);
  EXPECT_TRUE(groups.update(c, slots));
  EXPECT_EQ(groups.ready_count(), 2u);
  EXPECT_EQ(groups.pop_ready(), b);
  EXPECT_EQ(groups.pop_ready(), c);
  EXPECT_EQ(groups.pop_ready(), no_slot);
  EXPECT_EQ(groups.ready_count(), 0u);
}

TEST_F(FifoGroupsTest, AMessageInFlightHoldsItsGroup) {
  const std::uint32_t g = groups.find_or_add("g");
  const std::uint32_t first = add(g, SlotState::visible);
  add(g, SlotState::visible);
  EXPECT_TRUE(groups.update(g, slots));
  EXPECT_EQ(groups.pop_ready(), g);
  EXPECT_EQ(groups.flight_started(g), "g");
  slots[first].state = SlotState::in_flight;
  EXPECT_FALSE(groups.update(g, slots));
  EXPECT_EQ(groups.front(g), first);
  groups.flight_ended(g);
  groups.remove(slots, g, first);  // deleted: the next message is the head
  EXPECT_TRUE(groups.update(g, slots));
  EXPECT_EQ(groups.ready_count(), 1u);
}

TEST_F(FifoGroupsTest, AnEmptyGroupIsFreedOnceNoRetiredSlotShowsItsName) {
  const std::uint32_t g = groups.find_or_add("g");
  const std::uint32_t i = add(g, SlotState::visible);
  EXPECT_TRUE(groups.update(g, slots));
  groups.remove(slots, g, i);
  groups.name_retained(g);  // a receive of the deleted message still shows "g"
  EXPECT_FALSE(groups.update(g, slots));
  EXPECT_EQ(groups.ready_count(), 0u);
  EXPECT_NE(groups.find_or_add("other"), g);  // "g" is still in use
  EXPECT_EQ(groups.find_or_add("g"), g);
  groups.name_released(g, slots);  // freed
  EXPECT_EQ(groups.find_or_add("new"), g);
}

}  // namespace
}  // namespace nanofaas::detail
