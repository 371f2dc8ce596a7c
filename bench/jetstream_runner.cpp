// One run of nanofaas_bench_jetstream (jetstream_runner.hpp): the stream and its messages, the
// consumer processes (this program again, `consume ...`), the start, the end and the counts.

#include "jetstream_runner.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "jetstream_bench_settings.hpp"
#include "jetstream_bench_shared.hpp"
#include "nanofaas/jetstream_async_queue.hpp"
#include "nanofaas/jetstream_queue.hpp"

namespace nanofaas::bench::jetstream {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

Result Runner::measure(const std::string& mode, int processes) {
  const Settings s = parse_mode(mode);
  const Names names = names_of(++run);
  // No process may run dry before the last counted message: each holds up to a few hundred
  // (prefetched, in batches being run).
  const std::uint64_t padding = 2000 * static_cast<std::uint64_t>(processes) + messages / 50;
  if (s.base == "async" || s.events) {
    auto queues = jetstream_async_queues(js, {.stream = names.stream,
                                              .subject_prefix = names.prefix,
                                              .max_ack_pending = s.max_ack_pending});
    if (!queues) die("jetstream_async_queues: " + queues.error().message);
    // floor+events=1: the raw client reads the events, through a consumer like the queue's.
    const std::string subject = names.prefix + ".sink.LATEST";
    if (s.base == "floor") raw.add_consumer(names.stream, subject, s.max_ack_pending);
    raw.publish(subject, messages + padding, true, static_cast<std::uint64_t>(run));
  } else {
    // The stream and its durable consumer, as the queue source makes them (the floor reads
    // through the same consumer).
    if (s.max_ack_pending != 0) {
      raw.add_stream(names.stream);
      raw.add_consumer(names.stream, "", s.max_ack_pending);
    }
    auto source = jetstream_queue_source(js, {.stream = names.stream});
    if (!source) die("jetstream_queue_source: " + source.error().message);
    raw.publish(names.stream, messages + padding, false, 0);
  }
  if (raw.messages(names.stream) != messages + padding) die("the stream lost messages");

  const std::string file = (dir / "shared").string();
  Shared& shared = *map_shared(file, true);
  shared.target = messages;
  std::vector<pid_t> pids;
  const std::string run_id = std::to_string(run);
  for (int p = 0; p < processes; ++p) {
    // Made before the fork: the child of a threaded process only calls exec.
    const std::string slot = std::to_string(p);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) die("fork failed");
    if (pid == 0) {
      // Killed with the runner, whatever ends it.
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
      ::execl(exe.c_str(), exe.c_str(), "consume", mode.c_str(), url.c_str(), run_id.c_str(),
              file.c_str(), slot.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pids.push_back(pid);
  }
  Result result;
  const auto give_up = steady::now() + 30s + std::chrono::milliseconds(messages / 10);
  const auto any_failed = [&] {
    for (int p = 0; p < processes; ++p) {
      if (shared.slots[static_cast<std::size_t>(p)].failed.load() != 0) return true;
    }
    return false;
  };
  const auto all_ready = [&] {
    for (int p = 0; p < processes; ++p) {
      if (shared.slots[static_cast<std::size_t>(p)].ready.load() == 0) return false;
    }
    return true;
  };
  bool ok = true;
  while (ok && !all_ready()) {
    std::this_thread::sleep_for(1ms);
    ok = !any_failed() && steady::now() < give_up;
  }
  std::int64_t server_cpu = 0;
  if (ok) {
    server_cpu = server.cpu_ns();
    shared.start_ns.store(now_ns(), std::memory_order_release);
    while (ok && shared.end_ns.load(std::memory_order_acquire) == 0) {
      std::this_thread::sleep_for(1ms);
      ok = !any_failed() && steady::now() < give_up;
    }
    server_cpu = server.cpu_ns() - server_cpu;
  }
  shared.stop.store(1, std::memory_order_release);
  // Exited children are reaped; one that does not end within 10 s is killed (it is ours).
  const auto reap_until = steady::now() + 10s;
  for (const pid_t pid : pids) {
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (steady::now() > reap_until) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ok = false;
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
  }
  if (ok) {
    result.ok = true;
    result.seconds = static_cast<double>(shared.end_ns.load() - shared.start_ns.load()) / 1e9;
    result.aggregate = static_cast<double>(messages) / result.seconds;
    result.server_cpu_ns = static_cast<std::uint64_t>(server_cpu);
    for (int p = 0; p < processes; ++p) {
      const Slot& slot = shared.slots[static_cast<std::size_t>(p)];
      result.per_process.push_back(static_cast<double>(slot.counted.load()) / result.seconds);
      result.batches += slot.batches.load();
      result.fetches += slot.fetches.load();
      result.fetched += slot.fetched.load();
      result.asked += slot.asked.load();
      result.fetch_ns += slot.fetch_ns.load();
      result.empty += slot.empty.load();
      result.consumer_cpu_ns += slot.cpu_ns.load();
    }
  } else {
    std::fprintf(stderr, "%s with %d processes: the run failed or took too long\n", mode.c_str(),
                 processes);
  }
  ::munmap(&shared, sizeof(Shared));
  raw.delete_stream(names.stream);
  return result;
}

}  // namespace nanofaas::bench::jetstream
