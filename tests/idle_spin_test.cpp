// Idle workers on a machine with few cores: how long one spins (IdleSpin), how many spin at
// once (SpinGroup), and where new work goes (pick_worker prefers an awake worker; cold starts
// spread).

#include "runtime/idle_spin.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "runtime/placement.hpp"
#include "runtime/task.hpp"
#include "runtime/worker.hpp"
#include "runtime/worker_hooks.hpp"
#include "worker_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::detail::IdleSpin;
using nanofaas::detail::pick_worker;
using nanofaas::detail::pick_worker_to_init;
using nanofaas::detail::SpinGroup;
using nanofaas::detail::Task;
using nanofaas::detail::Worker;
using nanofaas::test::soon;

TEST(IdleSpinTest, WaitsLongerThanTheSpinHalveItDownToAThirtySecond) {
  IdleSpin spin(64us, nullptr);
  EXPECT_EQ(spin.begin(), 64us);
  spin.end(1ms);
  EXPECT_EQ(spin.begin(), 32us);
  for (int i = 0; i < 20; ++i) {
    (void)spin.begin();
    spin.end(1ms);
  }
  EXPECT_EQ(spin.begin(), 2us);
}

TEST(IdleSpinTest, AWaitWithinTheSpinRestoresItAll) {
  IdleSpin spin(64us, nullptr);
  for (int i = 0; i < 3; ++i) {
    (void)spin.begin();
    spin.end(1ms);
  }
  ASSERT_EQ(spin.begin(), 8us);
  spin.end(20us);  // work came back within the longest spin: spinning would have caught it
  EXPECT_EQ(spin.begin(), 64us);
}

TEST(IdleSpinTest, ASpinOfZeroNeverSpins) {
  IdleSpin spin(0ns, nullptr);
  EXPECT_FALSE(spin.enabled());
  EXPECT_EQ(spin.begin(), 0ns);
}

TEST(IdleSpinTest, OnlyTheGroupsLimitOfWorkersSpinAtOnce) {
  SpinGroup group(1);
  IdleSpin first(50us, &group);
  IdleSpin second(50us, &group);
  EXPECT_EQ(first.begin(), 50us);
  EXPECT_EQ(second.begin(), 0ns);  // sleeps at once: the first catches the next burst
  second.end(1us);
  first.end(1us);
  EXPECT_EQ(group.spinning.load(), 0u);
  EXPECT_EQ(second.begin(), 50us);  // the place is free again
  second.end(1us);
}

TEST(IdleSpinTest, AGroupAllowsAtLeastOneSpinner) {
  SpinGroup group(0);  // a machine that reports no cores
  IdleSpin spin(50us, &group);
  EXPECT_EQ(spin.begin(), 50us);
  spin.end(1us);
}

// Two workers: worker 0 sleeps as soon as it is idle, worker 1 spins for as long as it is.
struct TwoWorkers {
  TwoWorkers() {
    const nanofaas::detail::WorkerConfig sleeper{.stack_size = 64 * 1024, .stack_reserve = 1};
    nanofaas::detail::WorkerConfig spinner = sleeper;
    spinner.idle_spin = std::chrono::hours(1);
    workers.push_back(std::make_unique<Worker>(sleeper, hooks, 0));
    workers.push_back(std::make_unique<Worker>(spinner, hooks, 1));
    for (auto& w : workers) w->start();
  }
  ~TwoWorkers() {
    for (auto& w : workers) w->post(Task::stop());
    for (auto& w : workers) w->join();
  }
  nanofaas::test::NoHooks hooks;
  std::vector<std::unique_ptr<Worker>> workers;
};

// Runs `check(workers, sleeper, spinner, round)` on fresh TwoWorkers, 20 times.
template <class Check>
void in_rounds(Check check) {
  for (int round = 0; round < 20; ++round) {
    TwoWorkers two;
    check(two.workers, *two.workers[0], *two.workers[1], round);
  }
}

TEST(PickWorkerTest, NewWorkGoesToTheSpinningWorkerUntilItsBacklogGrows) {
  in_rounds([](const auto& workers, Worker& w0, Worker& w1, int round) {
    std::atomic<std::uint32_t> last{0};
    ASSERT_TRUE(soon([&] { return w1.spinning(); }));
    w1.load.fetch_add(3);  // work placed on it: more loaded than the sleeping worker 0
    EXPECT_EQ(&pick_worker(workers, last), &w1) << "round " << round;  // no futex wake for 0
    w1.load.fetch_add(nanofaas::detail::awake_backlog - 3);
    EXPECT_EQ(&pick_worker(workers, last), &w0) << "round " << round;  // 1 fell behind
    w1.load.store(0);
  });
}

TEST(PickWorkerTest, AWorkerRunningAHandlerIsNotPreferredToALessLoadedOne) {
  in_rounds([](const auto& workers, Worker& w0, Worker& w1, int round) {
    // Worker 1 runs a job that does not return yet (a long handler): awake, not spinning.
    nanofaas::test::HeldWorker held(w1);
    ASSERT_TRUE(soon([&] { return !w1.spinning(); }));
    // Just woken, it counts as busy briefly; then the job has run too long for that.
    ASSERT_TRUE(soon([&] { return !w1.busy_briefly(std::chrono::steady_clock::now()); }));
    std::atomic<std::uint32_t> last{1};  // picked last: not taken again unless it spins
    w1.load.fetch_add(1);
    EXPECT_EQ(&pick_worker(workers, last), &w0) << "round " << round;
    w1.load.store(0);
  });
}

TEST(PickWorkerTest, TheWorkerPickedLastIsKeptWhileItSpinsWithAShortBacklog) {
  in_rounds([](const auto& workers, Worker& w0, Worker& w1, int round) {
    ASSERT_TRUE(soon([&] { return w1.spinning(); }));
    std::atomic<std::uint32_t> last{0};  // worker 0 sleeps: the scan finds 1 and remembers it
    EXPECT_EQ(&pick_worker(workers, last), &w1) << "round " << round;
    EXPECT_EQ(last.load(), 1u);
    w1.load.fetch_add(nanofaas::detail::awake_backlog - 1);
    EXPECT_EQ(&pick_worker(workers, last), &w1) << "round " << round;
    w1.load.fetch_add(1);  // 1 fell behind: the scan again, which finds the least loaded
    EXPECT_EQ(&pick_worker(workers, last), &w0) << "round " << round;
    EXPECT_EQ(last.load(), 0u);
    last.store(7);  // a hint out of range is ignored
    EXPECT_EQ(&pick_worker(workers, last), &w0) << "round " << round;
    w1.load.store(0);
  });
}

TEST(PickWorkerTest, AColdStartGoesToTheLeastLoadedWorkerAndASpinningOneAmongEquals) {
  in_rounds([](const auto& workers, Worker& w0, Worker& w1, int round) {
    ASSERT_TRUE(soon([&] { return w1.spinning(); }));
    EXPECT_EQ(&pick_worker_to_init(workers), &w1) << "round " << round;  // no futex wake
    w1.load.fetch_add(1);  // an init placed on it may block it for long: spread the next
    EXPECT_EQ(&pick_worker_to_init(workers), &w0) << "round " << round;
    w1.load.store(0);
  });
}

}  // namespace
