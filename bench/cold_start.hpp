#pragma once

// Cold start called from a plain thread: the caller waits for a function with no environment
// yet (a new environment and its trivial init on a worker, the call, the reply back across
// threads). The peer with the same shape is CAF's spawn + first request (caf_peers.hpp);
// `cold_start` in workloads.hpp is the nested form, measured inside a handler.

#include <cstdlib>
#include <string>

#include "workloads.hpp"

namespace bench {

/// `n` sync invokes from this thread, each of a function never invoked before.
inline DurationHistogram cold_start_plain_thread(int n) {
  auto engine = nanofaas::Engine::create({.workers = 2}).value();
  auto name_of = [](int i) {
    std::string name = "c";  // not "c" + to_string(i): GCC 12 warns falsely (-Wrestrict)
    name += std::to_string(i);
    return name;
  };
  for (int i = 0; i < n; ++i) {
    if (!engine.add_function({.name = name_of(i)}, echo)) std::abort();
  }
  const std::string in = payload();
  DurationHistogram h;
  for (int i = 0; i < n; ++i) {
    const std::string name = name_of(i);
    const auto t0 = steady::now();
    auto r = engine.invoke(name, in);
    h.record(steady::now() - t0);
    if (!r || !r->init_duration) std::abort();
  }
  return h;
}

}  // namespace bench
