#pragma once

#include <boost/context/stack_context.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <set>
#include <vector>

#include "runtime/asan_fibers.hpp"

namespace nanofaas::detail {

/// Environment stacks of one worker: mmap'd with a guard page below (an overflow faults instead
/// of corrupting memory), recycled through a small cache because mmap + mprotect + munmap cost
/// microseconds. Keeps a reserve of mapped, pre-faulted stacks, refilled while the worker is
/// idle, so a cold start maps nothing. Used only on its worker thread. Under AddressSanitizer
/// it also keeps ASan's view of its stacks true (see runtime/asan_fibers.hpp).
class StackCache {
 public:
  StackCache(std::size_t stack_size, std::size_t reserve) noexcept;
  ~StackCache();
  StackCache(const StackCache&) = delete;
  StackCache& operator=(const StackCache&) = delete;

  /// A stack; `sp` null on failure (out of memory or mappings).
  boost::context::stack_context allocate() noexcept;
  void deallocate(boost::context::stack_context& stack) noexcept;
  /// Maps one stack into the reserve if it is below its size. False when nothing was done.
  bool refill_one() noexcept;
  /// The stack handed out that holds `address` (a fiber's context lives at its top): its
  /// lowest usable address and size, or false. Known only under AddressSanitizer, which
  /// needs it at every switch; always false otherwise.
  bool find_in_use(const void* address, const void*& bottom, std::size_t& size) const noexcept;

 private:
  void* map_stack() const noexcept;
  /// Unmaps a stack `map_stack` made.
  void unmap_stack(void* base) const noexcept;

  std::size_t reserve_;
  std::size_t usable_size_;
  std::size_t mapping_size_;
  std::vector<void*> free_;  // base addresses of cached mappings
#if NANOFAAS_ASAN
  std::set<std::uintptr_t> in_use_;  // tops of the stacks handed out
#endif
};

/// The Boost.Context StackAllocator that draws from a worker's `StackCache`.
class CachedStackAllocator {
 public:
  explicit CachedStackAllocator(StackCache& cache) noexcept : cache_(&cache) {}
  /// Throws std::bad_alloc when no stack can be mapped (Boost.Context's contract).
  boost::context::stack_context allocate() {
    auto stack = cache_->allocate();
    if (stack.sp == nullptr) throw std::bad_alloc();
    return stack;
  }
  void deallocate(boost::context::stack_context& stack) noexcept { cache_->deallocate(stack); }

 private:
  StackCache* cache_;
};

}  // namespace nanofaas::detail
