#include "runtime/stack_allocator.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace nanofaas::detail {
namespace {
std::size_t page_size() noexcept {
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}
constexpr std::size_t max_cached_stacks = 256;
constexpr std::size_t prefaulted_pages = 2;
}  // namespace

StackCache::StackCache(std::size_t stack_size, std::size_t reserve) noexcept : reserve_(reserve) {
  const std::size_t page = page_size();
  usable_size_ = (stack_size + page - 1) / page * page;
  mapping_size_ = usable_size_ + page;
}

StackCache::~StackCache() {
  for (void* base : free_) unmap_stack(base);
}

void StackCache::unmap_stack(void* base) const noexcept {
  stop_scanning_stack(static_cast<char*>(base) + page_size(), usable_size_);
  ::munmap(base, mapping_size_);
}

void* StackCache::map_stack() const noexcept {
  // MAP_NORESERVE: only the pages a fiber touches take memory.
  void* base = ::mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  // Memory unmapped before, by anyone, may have left its shadow poisoned.
  forget_stack_frames(base, mapping_size_);
  if (::mprotect(base, page_size(), PROT_NONE) != 0) {
    ::munmap(base, mapping_size_);
    return nullptr;
  }
  scan_stack_for_leaks(static_cast<char*>(base) + page_size(), usable_size_);
  return base;
}

bool StackCache::refill_one() noexcept {
  if (free_.size() >= reserve_) return false;
  void* base = map_stack();
  if (base == nullptr) return false;
  // Touch the top pages, where a fiber's context record and first frames go, so that the
  // environment that gets this stack takes no page fault (microseconds each on a VM).
  char* top = static_cast<char*>(base) + mapping_size_;
  for (std::size_t i = 1; i <= prefaulted_pages; ++i) {
    *static_cast<volatile char*>(top - i * page_size()) = 0;
  }
  free_.push_back(base);
  return true;
}

boost::context::stack_context StackCache::allocate() noexcept {
  void* base = nullptr;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    base = map_stack();
    if (base == nullptr) return {};
  }
  boost::context::stack_context stack;
  stack.size = usable_size_;
  stack.sp = static_cast<char*>(base) + mapping_size_;
#if NANOFAAS_ASAN
  try {
    in_use_.insert(reinterpret_cast<std::uintptr_t>(stack.sp));
  } catch (const std::bad_alloc&) {
    // Unknown to ASan's switches: a throw on this stack then draws ASan's warning that it
    // ignores the unwinding (scripts/sanitize.sh fails on it).
  }
#endif
  return stack;
}

void StackCache::deallocate(boost::context::stack_context& stack) noexcept {
  if (stack.sp == nullptr) return;
  void* base = static_cast<char*>(stack.sp) - mapping_size_;
  // The fiber that used it never returned from its first frames: a stack given back holds no
  // live frame, so nothing of it stays poisoned (for its next fiber, or whoever maps the
  // memory after munmap).
  forget_stack_frames(static_cast<char*>(stack.sp) - usable_size_, usable_size_);
#if NANOFAAS_ASAN
  in_use_.erase(reinterpret_cast<std::uintptr_t>(stack.sp));
#endif
  if (free_.size() < max_cached_stacks) {
    free_.push_back(base);
  } else {
    unmap_stack(base);
  }
}

bool StackCache::find_in_use([[maybe_unused]] const void* address,
                             [[maybe_unused]] const void*& bottom,
                             [[maybe_unused]] std::size_t& size) const noexcept {
#if NANOFAAS_ASAN
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  const auto top = in_use_.upper_bound(at);
  if (top == in_use_.end() || at < *top - usable_size_) return false;
  bottom = reinterpret_cast<const void*>(*top - usable_size_);
  size = usable_size_;
  return true;
#else
  return false;
#endif
}

}  // namespace nanofaas::detail
