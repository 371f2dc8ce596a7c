#include "common/trace_ids.hpp"

#include <random>

namespace nanofaas::detail {

constinit __attribute__((tls_model("initial-exec"))) thread_local std::uint64_t trace_id_state = 0;

std::uint64_t TraceIds::seed() noexcept {
  // Once per thread. random_device may throw where no entropy source exists: then the time
  // and the thread's address still differ between threads and runs.
  std::uint64_t s =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      reinterpret_cast<std::uintptr_t>(&trace_id_state);
  try {
    std::random_device rd;
    s ^= (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {
  }
  return s != 0 ? s : 1;
}

}  // namespace nanofaas::detail
