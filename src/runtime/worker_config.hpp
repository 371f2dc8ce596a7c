#pragma once

#include <chrono>
#include <cstddef>

namespace nanofaas::detail {

/// What a worker is told when it is built.
struct WorkerConfig {
  /// How long an idle worker spins before it parks on a futex.
  std::chrono::nanoseconds idle_spin{0};
  /// Each fiber's stack size, and how many stacks the worker keeps mapped ahead.
  std::size_t stack_size = 0;
  std::size_t stack_reserve = 0;
};

}  // namespace nanofaas::detail
