// The chaos soak: asynchronous events and queue messages through one engine while its
// configuration changes, shut down at a random moment; every event and message must be
// accounted for, and memory must come back to where a warm-up left it.
//
//   nanofaas_soak DURATION [--seed N] [--events N] [--records N] ...   (--help for all)

#include <algorithm>
#include <cstdio>

#include "memory.hpp"
#include "payloads.hpp"
#include "soak_options.hpp"
#include "soak_run.hpp"

namespace {

double mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

/// Growth from `before` to `after`, or 0 when it shrank.
std::uint64_t growth(std::uint64_t before, std::uint64_t after) {
  return after > before ? after - before : 0;
}

}  // namespace

// Whether RSS and mallinfo2 mean what the memory check assumes (not under ASan).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool memory_is_measurable = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool memory_is_measurable = false;
#else
constexpr bool memory_is_measurable = true;
#endif
#else
constexpr bool memory_is_measurable = true;
#endif

int main(int argc, char** argv) {
  const auto options = soak::parse_options(argc, argv);
  if (!options) return 2;
  soak::fix_allocator_thresholds();
  std::printf(
      "nanofaas soak: seed %llu (rerun with --seed %llu), duration %.0f s, %llu events, "
      "%llu records\n",
      static_cast<unsigned long long>(options->seed),
      static_cast<unsigned long long>(options->seed), options->duration_seconds,
      static_cast<unsigned long long>(options->events),
      static_cast<unsigned long long>(options->records));
  std::fflush(stdout);

  // Sized for the main run, with room for the events handlers spawn and for the load that
  // goes on until the shutdown; allocated (and touched) before the warm-up.
  soak::AsyncLedger ledger(options->events + options->events / 2 + 100'000);
  soak::MessageLedger messages(options->records + options->records / 4 + 100'000);
  soak::Violations violations;

  const soak::RunPlan main_plan{.label = "soak",
                                .seed = options->seed,
                                .events = options->events,
                                .records = options->records,
                                .duration_seconds = options->duration_seconds,
                                .max_seconds = options->max_seconds,
                                .functions = options->functions,
                                .queues = options->queues};
  // The warm-up: the same run, smaller and unpaced, so that every allocator arena, thread
  // cache and pool has been grown once before the baseline is read.
  soak::RunPlan warmup = main_plan;
  warmup.label = "warm-up";
  warmup.seed = soak::mix(options->seed, 1);
  warmup.events = std::max<std::uint64_t>(
      20'000,
      static_cast<std::uint64_t>(options->warmup_fraction * static_cast<double>(options->events)));
  warmup.records = std::max<std::uint64_t>(
      20'000,
      static_cast<std::uint64_t>(options->warmup_fraction * static_cast<double>(options->records)));
  warmup.events = std::min(warmup.events, options->events);
  warmup.records = std::min(warmup.records, options->records);
  warmup.duration_seconds = 0;
  soak::run_soak(warmup, ledger, messages, violations);
  const soak::MemoryReading idle = soak::settled_memory();
  std::printf("idle after the warm-up: RSS %.1f MiB, heap in use %.1f MiB\n", mib(idle.rss_bytes),
              mib(idle.heap_bytes));

  soak::run_soak(main_plan, ledger, messages, violations);
  const soak::MemoryReading after = soak::settled_memory();
  const std::uint64_t heap_growth = growth(idle.heap_bytes, after.heap_bytes);
  const std::uint64_t rss_growth = growth(idle.rss_bytes, after.rss_bytes);
  std::printf(
      "memory: idle after the soak RSS %.1f MiB (%+.1f), heap in use %.1f MiB (%+.1f); "
      "tolerance %.0f / %.0f MiB; peak RSS %.0f MiB\n",
      mib(after.rss_bytes), mib(after.rss_bytes) - mib(idle.rss_bytes), mib(after.heap_bytes),
      mib(after.heap_bytes) - mib(idle.heap_bytes), mib(options->rss_tolerance_bytes),
      mib(options->heap_tolerance_bytes), mib(soak::peak_resident_bytes()));
  if (!memory_is_measurable) {
    // ASan's allocator keeps freed blocks in its quarantine (resident) and mallinfo2 counts
    // none of its heap: LeakSanitizer checks for leaks at exit instead.
    std::printf("memory: not checked under AddressSanitizer (LeakSanitizer checks at exit)\n");
  } else if (heap_growth > options->heap_tolerance_bytes) {
    violations.add("heap in use grew past its tolerance",
                   std::to_string(heap_growth) + " bytes more than after the warm-up");
  }
  if (memory_is_measurable && rss_growth > options->rss_tolerance_bytes) {
    violations.add("resident memory grew past its tolerance",
                   std::to_string(rss_growth) + " bytes more than after the warm-up");
  }
  if (!violations.empty()) {
    violations.print();
    std::printf("soak FAILED (seed %llu)\n", static_cast<unsigned long long>(options->seed));
    return 1;
  }
  std::printf("soak passed: every event and message accounted for, memory back to idle\n");
  return 0;
}
