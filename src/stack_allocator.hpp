#pragma once

#include <boost/context/stack_context.hpp>

#include <cstddef>
#include <new>
#include <vector>

namespace nanofaas::detail {

/// Environment stacks of one worker: mmap'd with a guard page below (an overflow faults instead
/// of corrupting memory), recycled through a small cache because mmap + mprotect + munmap cost
/// microseconds. Used only on its worker thread.
class StackCache {
 public:
  explicit StackCache(std::size_t stack_size) noexcept;
  ~StackCache();
  StackCache(const StackCache&) = delete;
  StackCache& operator=(const StackCache&) = delete;

  /// A stack; `sp` null on failure (out of memory or mappings).
  boost::context::stack_context allocate() noexcept;
  void deallocate(boost::context::stack_context& stack) noexcept;

 private:
  std::size_t usable_size_;
  std::size_t mapping_size_;
  std::vector<void*> free_;  // base addresses of cached mappings
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
