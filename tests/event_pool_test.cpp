// The process-wide pool of asynchronous events, seen from the engines that use it.

#include <gtest/gtest.h>

#include <latch>

#include "async/event_pool.hpp"
#include "test_support.hpp"

namespace nanofaas::detail {
namespace {

TEST(EventPoolTest, TheLastEngineToGoFreesTheEventsPooledForTheNext) {
  // The shared list kept up to 8,192 events (~2.5 MiB, scattered over malloc's arenas) for
  // the life of the process, after every engine was gone (seen while accounting for the chaos
  // soak's memory, tests/soak/).
  constexpr int events = 20'000;
  {
    auto engine = test::make_engine();
    ASSERT_TRUE(engine.add_function({.name = "f"}, test::echo));
    std::latch done(events);
    for (int i = 0; i < events; ++i) {
      ASSERT_TRUE(engine.invoke_async("f", Payload::copy_of("x"),
                                      [&done](AsyncOutcome&&) { done.count_down(); }));
    }
    done.wait();
    // Workers free what this thread takes: they hand their surplus to the shared list.
    ASSERT_GT(EventPool::shared_size(), 0u);
  }
  EXPECT_EQ(EventPool::shared_size(), 0u);
}

}  // namespace
}  // namespace nanofaas::detail
