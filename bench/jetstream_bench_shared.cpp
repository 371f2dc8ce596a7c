// What nanofaas_bench_jetstream's runner and consumers share (jetstream_bench_shared.hpp), and
// the wrapper of the C client's `natsSubscription_FetchRequest` that counts the engines' fetches.

#include "jetstream_bench_shared.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace nanofaas::bench::jetstream {

std::string stop_on_failure;
Slot* consumer_slot = nullptr;
Shared* consumer_shared = nullptr;

namespace {

void mark_failed() {
  if (consumer_slot != nullptr) consumer_slot->failed.store(1);
}

}  // namespace

void die(const std::string& what) {
  std::fprintf(stderr, "nanofaas_bench_jetstream: %s\n", what.c_str());
  mark_failed();
  if (!stop_on_failure.empty()) {
    const std::string line = std::string(NANOFAAS_NATS_SCRIPT) + " stop " + stop_on_failure;
    if (std::system(line.c_str()) != 0) std::fprintf(stderr, "%s failed\n", line.c_str());
  }
  std::exit(1);
}

void check(natsStatus s, const char* what) {
  if (s != NATS_OK) die(std::string(what) + ": " + natsStatus_GetText(s));
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Shared* map_shared(const std::string& path, bool create) {
  const int fd = ::open(path.c_str(), create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR, 0600);
  if (fd < 0) die("cannot open " + path);
  if (create && ::ftruncate(fd, sizeof(Shared)) != 0) die("cannot size " + path);
  void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) die("cannot map " + path);
  return create ? new (p) Shared{} : static_cast<Shared*>(p);
}

void count(Shared& shared, Slot& slot, std::uint64_t n) {
  const std::uint64_t before = shared.total.fetch_add(n, std::memory_order_relaxed);
  if (before >= shared.target) return;
  const std::uint64_t mine = std::min(n, shared.target - before);
  slot.counted.fetch_add(mine, std::memory_order_relaxed);
  slot.batches.fetch_add(1, std::memory_order_relaxed);
  if (before + n >= shared.target) shared.end_ns.store(now_ns(), std::memory_order_release);
}

void count_fetch(natsStatus s, const natsMsgList& list, int asked, std::int64_t ns) {
  if (consumer_slot == nullptr || consumer_shared->end_ns.load(std::memory_order_relaxed) != 0) {
    return;
  }
  Slot& slot = *consumer_slot;
  if (s != NATS_OK || list.Count == 0) {
    slot.empty.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  slot.fetches.fetch_add(1, std::memory_order_relaxed);
  slot.fetched.fetch_add(static_cast<std::uint64_t>(list.Count), std::memory_order_relaxed);
  slot.asked.fetch_add(static_cast<std::uint64_t>(asked), std::memory_order_relaxed);
  slot.fetch_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

}  // namespace nanofaas::bench::jetstream

/// The engine's readers fetch through the C client's `natsSubscription_FetchRequest`: this
/// definition takes its place in the program (this file is one of the executable's sources and
/// the component is linked statically; with a shared nanofaas_jetstream the engine rows' fetch
/// columns read 0), counts each fetch and what it brought, and calls the client's own.
extern "C" natsStatus natsSubscription_FetchRequest(natsMsgList* list, natsSubscription* sub,
                                                    jsFetchRequest* request) {
  namespace js = nanofaas::bench::jetstream;
  using Fetch = natsStatus (*)(natsMsgList*, natsSubscription*, jsFetchRequest*);
  static const auto real =
      reinterpret_cast<Fetch>(::dlsym(RTLD_NEXT, "natsSubscription_FetchRequest"));
  if (real == nullptr) js::die("natsSubscription_FetchRequest not found");
  const std::int64_t started = js::now_ns();
  const natsStatus s = real(list, sub, request);
  js::count_fetch(s, *list, request->Batch, js::now_ns() - started);
  return s;
}
