// AddressSanitizer on fiber stacks (src/runtime/asan_fibers.hpp): a stack handed out holds no
// poisoned shadow, and a throw on a fiber leaves no redzones of the frames it unwound. Without
// either, ASan reports false stack-buffer-overflows in fiber code. Built in ASan builds only.

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

#include <sanitizer/asan_interface.h>

#include "runtime/asan_fibers.hpp"
#include "runtime/stack_allocator.hpp"
#include "test_support.hpp"

static_assert(NANOFAAS_ASAN, "tests/CMakeLists.txt builds this test with AddressSanitizer only");

namespace {

using namespace nanofaas;
using nanofaas::detail::StackCache;

/// The frames between `shallowest` and `deepest + 64`: `depth` + 1 calls, each with an array
/// ASan surrounds with redzones; the deepest throws.
[[gnu::noinline]] void throw_from_depth(int depth, char*& shallowest, char*& deepest) {
  char guarded[64];
  std::memset(guarded, depth, sizeof guarded);
  if (shallowest == nullptr) shallowest = guarded;
  deepest = guarded;
  if (depth == 0) throw std::runtime_error("deep");
  throw_from_depth(depth - 1, shallowest, deepest);
  asm volatile("" : : "r"(guarded) : "memory");  // no tail call: the frame stays
}

TEST(AsanFibersTest, AStackGivenBackHoldsNoPoisonForItsNextFiber) {
  StackCache cache(64u << 10, 0);
  auto stack = cache.allocate();
  ASSERT_NE(stack.sp, nullptr);
  char* const top = static_cast<char*>(stack.sp);
  const void* bottom = nullptr;
  std::size_t size = 0;
  ASSERT_TRUE(cache.find_in_use(top - 100, bottom, size));
  EXPECT_EQ(bottom, top - stack.size);
  EXPECT_EQ(size, stack.size);
  // What an ended fiber leaves at the top of its stack: redzones of frames never returned from.
  ASAN_POISON_MEMORY_REGION(top - 256, 64);
  cache.deallocate(stack);
  EXPECT_FALSE(cache.find_in_use(top - 100, bottom, size));
  auto again = cache.allocate();  // the same stack, from the cache
  ASSERT_EQ(again.sp, stack.sp);
  EXPECT_EQ(__asan_region_is_poisoned(top - again.size, again.size), nullptr);
  cache.deallocate(again);
}

TEST(AsanFibersTest, AThrowOnAFiberLeavesNoRedzonesOfTheFramesItUnwound) {
  auto engine = test::make_engine({.workers = 1});
  const void* left_poisoned = nullptr;
  bool caught = false;
  ASSERT_TRUE(engine.add_function({.name = "f"}, [&](const Event&) {
    char* shallowest = nullptr;
    char* deepest = nullptr;
    try {
      throw_from_depth(8, shallowest, deepest);
    } catch (const std::runtime_error&) {
      caught = true;
    }
    // Everything between the deepest array and the end of the shallowest belonged to frames
    // that are gone: the fiber's next calls will have their own redzones there.
    left_poisoned = __asan_region_is_poisoned(deepest, shallowest + 64 - deepest);
    return Response();
  }));
  for (int call = 0; call < 3; ++call) {  // cold, then warm on the same fiber
    caught = false;
    left_poisoned = &caught;  // until the handler says otherwise
    ASSERT_TRUE(engine.invoke("f", "x"));
    EXPECT_TRUE(caught);
    EXPECT_EQ(left_poisoned, nullptr) << "call " << call;
  }
}

}  // namespace
