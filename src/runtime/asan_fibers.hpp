#pragma once

// AddressSanitizer on fiber stacks. ASan knows one stack per thread, and Boost.Context's
// fcontext backend (the one Debian builds; its ASan support needs the ucontext backend and a
// Boost built for it) switches stacks without telling it. Two things keep ASan's reports true
// on the stacks of `StackCache`, and both compile to nothing without ASan:
//  - A stack's shadow is cleared when it is mapped and when it is given back: a fiber that
//    ends never returns from its first frames, whose redzones would otherwise stay poisoned
//    for the next fiber on that memory (a false stack-buffer-overflow).
//  - The worker's scheduler, which picks the target of every switch, tells ASan which stack
//    it switches to (`AsanSwitches`). A throw then unpoisons the frames it unwinds on the
//    fiber's own stack, as ASan does on a thread's; without this it ignores the request and
//    leaves their redzones behind for the fiber's next calls.
// No fake stack is carried across switches: `detect_stack_use_after_return` must stay off.

#include <boost/fiber/context.hpp>

#include <cstddef>

// AddressSanitizer: GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define NANOFAAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NANOFAAS_ASAN 1
#endif
#endif
#ifndef NANOFAAS_ASAN
#define NANOFAAS_ASAN 0
#endif

namespace nanofaas::detail {

class StackCache;

#if NANOFAAS_ASAN

/// Marks [bottom, bottom + size), stack memory that holds no live frame, addressable again.
void forget_stack_frames(void* bottom, std::size_t size) noexcept;
/// Makes LeakSanitizer scan a fiber stack for pointers (it scans threads' stacks only), or
/// stop before the stack is unmapped: memory only a live fiber holds is not a leak.
void scan_stack_for_leaks(void* bottom, std::size_t size) noexcept;
void stop_scanning_stack(void* bottom, std::size_t size) noexcept;

/// The stack switches of one worker, told to ASan. ASan wants the start of a switch announced
/// on the old stack and its end on the new one; Boost, not nanofaas, runs first when a fiber
/// resumes, so the end is announced when the fiber next leaves, before the next start. In
/// between ASan finds the stack from the started switch, so no throw goes unseen.
class AsanSwitches {
 public:
  explicit AsanSwitches(const StackCache& stacks) noexcept : stacks_(&stacks) {}
  /// Called with the context the scheduler returns to Boost, which switches to it at once
  /// (null: no switch).
  boost::fibers::context* switching_to(boost::fibers::context* next) noexcept;

 private:
  const StackCache* stacks_;
  bool started_ = false;  // a switch announced and not yet finished
  bool thread_known_ = false;
  const void* thread_bottom_ = nullptr;  // the thread's own stack, the main fiber's
  std::size_t thread_size_ = 0;
};

#else

inline void forget_stack_frames(void*, std::size_t) noexcept {}
inline void scan_stack_for_leaks(void*, std::size_t) noexcept {}
inline void stop_scanning_stack(void*, std::size_t) noexcept {}

class AsanSwitches {
 public:
  explicit AsanSwitches(const StackCache&) noexcept {}
  boost::fibers::context* switching_to(boost::fibers::context* next) noexcept { return next; }
};

#endif

}  // namespace nanofaas::detail
