#pragma once

#include <cstdint>

namespace nanofaas::detail {

class WorkerHooks;

/// Which engine's worker the calling thread is, and its index: what per-worker counters pick
/// their copy by, read inline (no call into `Worker`). `hooks` is null off worker threads.
struct WorkerIdentity {
  const WorkerHooks* hooks = nullptr;
  std::uint32_t index = 0;
};

/// The calling thread's identity, set by its worker for the thread's life.
inline __attribute__((tls_model("initial-exec"))) thread_local WorkerIdentity this_worker{};

}  // namespace nanofaas::detail
