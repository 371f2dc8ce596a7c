// Jobs any worker may run (post_anywhere): an awake worker takes them directly; otherwise they
// wait in the engine's SharedJobs for the first worker free, and a sleeping worker is woken
// for them, so that none waits behind a busy worker or is lost between a push and a park.

#include "runtime/shared_jobs.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/placement.hpp"
#include "runtime/task.hpp"
#include "runtime/worker.hpp"
#include "runtime/worker_hooks.hpp"
#include "worker_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using nanofaas::detail::Job;
using nanofaas::detail::post_anywhere;
using nanofaas::detail::SharedJobs;
using nanofaas::detail::Task;
using nanofaas::detail::Worker;
using nanofaas::test::soon;

// Workers sharing one SharedJobs; each spins for `spin` when idle.
struct Workers {
  Workers(int count, std::chrono::nanoseconds spin) {
    const nanofaas::detail::WorkerConfig config{
        .idle_spin = spin, .shared_jobs = &shared, .stack_size = 64 * 1024, .stack_reserve = 1};
    for (int i = 0; i < count; ++i) {
      workers.push_back(std::make_unique<Worker>(config, hooks, static_cast<std::uint32_t>(i)));
    }
    for (auto& w : workers) w->start();
  }
  ~Workers() {
    for (auto& w : workers) w->post(Task::stop());
    for (auto& w : workers) w->join();
  }
  void post(const Job& job) { post_anywhere(workers, last, shared, job); }

  nanofaas::test::NoHooks hooks;
  SharedJobs shared;
  std::atomic<std::uint32_t> last{0};
  std::vector<std::unique_ptr<Worker>> workers;
};

// A job that counts `latch` down and notes the worker that ran it.
struct Probe {
  std::latch* latch;
  std::atomic<const Worker*>* ran_on;
};
Job probe_job(Probe& probe) {
  return Job{[](Worker& w, const Job& job) {
               auto* p = static_cast<Probe*>(job.a);
               p->ran_on->store(&w);
               p->latch->count_down();
             },
             &probe};
}

TEST(SharedJobsTest, JobsForSleepingWorkersAllRunWithNoWakeUpLost) {
  // Workers that never spin: every job goes through the shared jobs and a futex wake, racing
  // the workers' own parks.
  Workers group(2, 0ns);
  constexpr int rounds = 2000;
  for (int round = 0; round < rounds; ++round) {
    std::latch ran(1);
    std::atomic<const Worker*> on{nullptr};
    Probe probe{&ran, &on};
    group.post(probe_job(probe));
    ASSERT_TRUE(soon([&] { return ran.try_wait(); })) << "round " << round;
  }
  EXPECT_TRUE(group.shared.empty());
}

TEST(SharedJobsTest, ManyProducersJobsAllRun) {
  Workers group(2, 20us);
  constexpr int producers = 4;
  constexpr int per_producer = 5000;
  std::latch ran(producers * per_producer);
  std::atomic<const Worker*> on{nullptr};
  Probe probe{&ran, &on};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_producer; ++i) group.post(probe_job(probe));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(soon([&] { return ran.try_wait(); }));
}

TEST(SharedJobsTest, AJobDoesNotWaitForABusyWorkerWhileAnotherSleeps) {
  for (int round = 0; round < 20; ++round) {
    Workers group(2, 0ns);
    Worker& w0 = *group.workers[0];
    Worker& w1 = *group.workers[1];
    nanofaas::test::HeldWorker held(w1);  // a long handler
    ASSERT_TRUE(soon([&] { return w0.asleep(); }));
    std::latch ran(1);
    std::atomic<const Worker*> on{nullptr};
    Probe probe{&ran, &on};
    group.post(probe_job(probe));
    EXPECT_TRUE(soon([&] { return ran.try_wait(); })) << "round " << round;
    EXPECT_EQ(on.load(), &w0) << "round " << round;
  }
}

TEST(SharedJobsTest, AnAwakeWorkerTakesAJobDirectly) {
  for (int round = 0; round < 20; ++round) {
    Workers group(2, std::chrono::hours(1));  // one spins (the group has no spin limit here)
    ASSERT_TRUE(soon([&] { return group.workers[1]->spinning(); }));
    std::latch ran(1);
    std::atomic<const Worker*> on{nullptr};
    Probe probe{&ran, &on};
    group.post(probe_job(probe));
    EXPECT_TRUE(group.shared.empty()) << "round " << round;  // posted to a worker, not shared
    EXPECT_TRUE(soon([&] { return ran.try_wait(); })) << "round " << round;
  }
}

}  // namespace
