#include <gtest/gtest.h>

#include <vector>

#include "async/event_pool.hpp"
#include "async/taken_events.hpp"
#include "nanofaas/async_queue.hpp"

namespace nanofaas::detail {
namespace {

/// A queue holding `n` pooled events, and the events in the order they were queued.
struct FilledQueue {
  explicit FilledQueue(std::size_t n) : owned(make_in_memory_async_queue(1000)), queue(*owned) {
    for (std::size_t i = 0; i < n; ++i) {
      events.push_back(EventPool::take());
      EXPECT_TRUE(queue.push(events.back()));
    }
  }
  std::unique_ptr<AsyncQueue> owned;  // gives back what is left in it
  AsyncQueue& queue;
  std::vector<AsyncEvent*> events;
};

TEST(TakenEventsTest, ABulkTakeHandsOutEventsInQueueOrder) {
  FilledQueue filled(5);
  TakenEvents taken;
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(taken.next(filled.queue, 3), filled.events[i]);
  }
  EXPECT_EQ(taken.next(filled.queue, 3), nullptr);
  EXPECT_TRUE(taken.empty());
  for (AsyncEvent* event : filled.events) EventPool::give(event);
}

TEST(TakenEventsTest, KeepUnlessForgetsOnlyTheEventsItWasTakenFor) {
  FilledQueue filled(5);
  TakenEvents taken;
  ASSERT_EQ(taken.next(filled.queue, 5), filled.events[0]);  // taken 5, handed out 1
  std::vector<AsyncEvent*> offered;
  taken.keep_unless([&](AsyncEvent* event) {
    offered.push_back(event);
    return event == filled.events[1] || event == filled.events[3];  // these two go
  });
  EXPECT_EQ(offered, (std::vector<AsyncEvent*>(filled.events.begin() + 1, filled.events.end())));
  EXPECT_FALSE(taken.empty());
  EXPECT_EQ(taken.next(filled.queue, 5), filled.events[2]);
  EXPECT_EQ(taken.next(filled.queue, 5), filled.events[4]);
  EXPECT_TRUE(taken.empty());
  EXPECT_EQ(taken.next(filled.queue, 5), nullptr);  // the queue is empty too
  for (AsyncEvent* event : filled.events) EventPool::give(event);
}

TEST(TakenEventsTest, ReleaseEachHandsOutTheRestAndForgetsThem) {
  FilledQueue filled(4);
  TakenEvents taken;
  ASSERT_EQ(taken.next(filled.queue, 4), filled.events[0]);
  std::vector<AsyncEvent*> released;
  taken.release_each([&](AsyncEvent* event) { released.push_back(event); });
  EXPECT_EQ(released, (std::vector<AsyncEvent*>(filled.events.begin() + 1, filled.events.end())));
  EXPECT_TRUE(taken.empty());
  for (AsyncEvent* event : filled.events) EventPool::give(event);
}

}  // namespace
}  // namespace nanofaas::detail
