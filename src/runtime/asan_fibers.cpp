#include "runtime/asan_fibers.hpp"

#if NANOFAAS_ASAN

#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>

#include "runtime/stack_allocator.hpp"

namespace nanofaas::detail {

void forget_stack_frames(void* bottom, std::size_t size) noexcept {
  ASAN_UNPOISON_MEMORY_REGION(bottom, size);
}

void scan_stack_for_leaks(void* bottom, std::size_t size) noexcept {
  __lsan_register_root_region(bottom, size);
}

void stop_scanning_stack(void* bottom, std::size_t size) noexcept {
  __lsan_unregister_root_region(bottom, size);
}

boost::fibers::context* AsanSwitches::switching_to(boost::fibers::context* next) noexcept {
  if (next == nullptr) return nullptr;  // no switch
  if (started_) {
    // The switch that brought the running fiber here ends now, on its stack. The first one
    // ends on the thread's first fiber and reports the thread's own stack.
    const void* old_bottom = nullptr;
    std::size_t old_size = 0;
    __sanitizer_finish_switch_fiber(nullptr, &old_bottom, &old_size);
    if (!thread_known_) {
      thread_known_ = true;
      thread_bottom_ = old_bottom;
      thread_size_ = old_size;
    }
  }
  const void* bottom = nullptr;
  std::size_t size = 0;
  if (next->is_context(boost::fibers::type::main_context)) {
    bottom = thread_bottom_;
    size = thread_size_;
  } else {
    // A worker's fibers run on its stacks. Boost's dispatcher fiber, which runs only the
    // scheduler and never throws, has one of Boost's own: unknown (null) to ASan.
    stacks_->find_in_use(next, bottom, size);
  }
  __sanitizer_start_switch_fiber(nullptr, bottom, size);
  started_ = true;
  return next;
}

}  // namespace nanofaas::detail

#endif
