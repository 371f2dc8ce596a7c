#pragma once

#include <chrono>
#include <cstddef>

#include "runtime/idle_spin.hpp"
#include "runtime/shared_jobs.hpp"

namespace nanofaas::detail {

/// What a worker is told when it is built.
struct WorkerConfig {
  /// How long an idle worker spins at most before it parks on a futex (`IdleSpin`).
  std::chrono::nanoseconds idle_spin{0};
  /// The workers that share the limit of idle spinners; null: no limit.
  SpinGroup* spin_group = nullptr;
  /// Jobs this worker takes when it has nothing else to do; null: none.
  SharedJobs* shared_jobs = nullptr;
  /// Each fiber's stack size, and how many stacks the worker keeps mapped ahead.
  std::size_t stack_size = 0;
  std::size_t stack_reserve = 0;
};

}  // namespace nanofaas::detail
