// StackCache: fiber stacks recycled on a worker.

#include "runtime/stack_allocator.hpp"

#include <gtest/gtest.h>

#if defined(__SANITIZE_ADDRESS__)
#define NANOFAAS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NANOFAAS_TEST_ASAN 1
#endif
#endif
#ifdef NANOFAAS_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace {

using nanofaas::detail::StackCache;

TEST(StackCacheTest, ARecycledStackIsTheSameMemoryAndUsable) {
  StackCache cache(64 * 1024, 0);
  auto first = cache.allocate();
  ASSERT_NE(first.sp, nullptr);
  EXPECT_GE(first.size, 64u * 1024);
  static_cast<char*>(first.sp)[-1] = 1;  // the top byte is writable
  void* const top = first.sp;
  cache.deallocate(first);
  auto again = cache.allocate();
  EXPECT_EQ(again.sp, top);
  static_cast<char*>(again.sp)[-static_cast<std::ptrdiff_t>(again.size)] = 1;  // and the bottom
  cache.deallocate(again);
}

TEST(StackCacheTest, ARecycledStackCarriesNoAddressSanitizerPoison) {
#ifndef NANOFAAS_TEST_ASAN
  GTEST_SKIP() << "only meaningful under AddressSanitizer";
#else
  // A fiber that ended leaves its last frames poisoned (ASan does not see the switch away);
  // the next fiber on the recycled stack was reported for touching them (found by
  // fuzz/fuzz_config.cpp under ASan).
  StackCache cache(64 * 1024, 0);
  auto stack = cache.allocate();
  ASSERT_NE(stack.sp, nullptr);
  char* const bottom = static_cast<char*>(stack.sp) - stack.size;
  ASAN_POISON_MEMORY_REGION(static_cast<char*>(stack.sp) - 256, 128);
  cache.deallocate(stack);
  auto again = cache.allocate();
  ASSERT_EQ(static_cast<char*>(again.sp) - again.size, bottom);
  EXPECT_EQ(__asan_region_is_poisoned(bottom, again.size), nullptr);
  cache.deallocate(again);
#endif
}

}  // namespace
