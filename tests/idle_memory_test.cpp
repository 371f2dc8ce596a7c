// What a registered function costs before it runs: at most 1 KiB of heap with its name and
// handler (the engine makes counters, histograms, queues and environments on first use).
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstddef>
#include <string>
#include <vector>

#include "nanofaas/engine.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;

TEST(IdleMemoryTest, AnIdleFunctionCostsAtMostOneKibibyte) {
  auto engine = test::make_engine();
  // The engine's own first-use allocations (its workers' and the registry's) come first.
  ASSERT_TRUE(engine.add_function({.name = "warm"}, test::echo));
  ASSERT_TRUE(engine.invoke("warm", "{}"));
  constexpr int functions = 4000;
  std::vector<std::string> names;
  names.reserve(functions);
  for (int i = 0; i < functions; ++i) names.push_back("idle" + std::to_string(100000 + i));
  const std::size_t before = mallinfo2().uordblks;
  for (const auto& name : names) ASSERT_TRUE(engine.add_function({.name = name}, test::echo));
  const std::size_t after = mallinfo2().uordblks;
  if (after == before) GTEST_SKIP() << "this allocator does not report its heap (a sanitizer's)";
  EXPECT_LE((after - before) / functions, 1024u);
  // Reading their metrics makes nothing either (every count is 0).
  {
    const auto snapshot = engine.metrics();
    const FunctionMetrics* idle = snapshot.find(names.back());
    ASSERT_NE(idle, nullptr);
    EXPECT_EQ(idle->async_events_received, 0u);
  }
  const auto grown =
      static_cast<std::ptrdiff_t>(mallinfo2().uordblks) - static_cast<std::ptrdiff_t>(after);
  EXPECT_LT(grown, 64 * 1024);
}

}  // namespace
