#include "stack_allocator.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace nanofaas::detail {
namespace {
std::size_t page_size() noexcept {
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}
constexpr std::size_t max_cached_stacks = 256;
}  // namespace

StackCache::StackCache(std::size_t stack_size) noexcept {
  const std::size_t page = page_size();
  usable_size_ = (stack_size + page - 1) / page * page;
  mapping_size_ = usable_size_ + page;
}

StackCache::~StackCache() {
  for (void* base : free_) ::munmap(base, mapping_size_);
}

boost::context::stack_context StackCache::allocate() noexcept {
  void* base = nullptr;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    // MAP_NORESERVE: only the pages a fiber touches take memory.
    base = ::mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return {};
    if (::mprotect(base, page_size(), PROT_NONE) != 0) {
      ::munmap(base, mapping_size_);
      return {};
    }
  }
  boost::context::stack_context stack;
  stack.size = usable_size_;
  stack.sp = static_cast<char*>(base) + mapping_size_;
  return stack;
}

void StackCache::deallocate(boost::context::stack_context& stack) noexcept {
  if (stack.sp == nullptr) return;
  void* base = static_cast<char*>(stack.sp) - mapping_size_;
  if (free_.size() < max_cached_stacks) {
    free_.push_back(base);
  } else {
    ::munmap(base, mapping_size_);
  }
}

}  // namespace nanofaas::detail
