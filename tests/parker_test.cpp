// Parker: a worker's idle wait, spinning for `idle_spin` before it sleeps on the futex.

#include "runtime/parker.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <thread>

namespace {

using namespace std::chrono_literals;
using nanofaas::detail::Parker;
using steady = std::chrono::steady_clock;

// Times the calling thread gave up its core (blocked in the kernel), as getrusage counts them.
long voluntary_switches() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_nvcsw;
}

TEST(ParkerTest, UnparkBeforeParkMakesItReturnAtOnce) {
  Parker parker;
  parker.unpark();
  parker.park(steady::time_point::max(), 0ns);  // would sleep forever otherwise
}

TEST(ParkerTest, UnparkWakesASleepingThread) {
  Parker parker;
  std::thread sleeper([&] { parker.park(steady::time_point::max(), 0ns); });
  parker.unpark();
  sleeper.join();
}

TEST(ParkerTest, SpinOfNanosecondsMaxSpinsUntilTheDeadlineWithoutSleeping) {
  // The spin's end once overflowed into the past (found by fuzz/fuzz_config.cpp under UBSan),
  // so an endless spin slept at once.
  Parker parker;
  const long before = voluntary_switches();
  parker.park(steady::now() + 2ms, std::chrono::nanoseconds::max());
  EXPECT_EQ(voluntary_switches() - before, 0) << "it slept instead of spinning";
}

}  // namespace
