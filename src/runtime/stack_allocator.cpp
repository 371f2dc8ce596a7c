#include "runtime/stack_allocator.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

// AddressSanitizer: GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define NANOFAAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NANOFAAS_ASAN 1
#endif
#endif
#ifdef NANOFAAS_ASAN
#include <sanitizer/asan_interface.h>
#endif

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
  for (void* base : free_) ::munmap(base, mapping_size_);
}

void* StackCache::map_stack() const noexcept {
  // MAP_NORESERVE: only the pages a fiber touches take memory.
  void* base = ::mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  if (::mprotect(base, page_size(), PROT_NONE) != 0) {
    ::munmap(base, mapping_size_);
    return nullptr;
  }
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
  return stack;
}

void StackCache::deallocate(boost::context::stack_context& stack) noexcept {
  if (stack.sp == nullptr) return;
  void* base = static_cast<char*>(stack.sp) - mapping_size_;
#ifdef NANOFAAS_ASAN
  // A fiber's last frames never return, so ASan never clears their poison (it does not see
  // fiber switches): cleared here, or the next fiber on this memory is reported for using it.
  ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(stack.sp) - usable_size_, usable_size_);
#endif
  if (free_.size() < max_cached_stacks) {
    free_.push_back(base);
  } else {
    ::munmap(base, mapping_size_);
  }
}

}  // namespace nanofaas::detail
