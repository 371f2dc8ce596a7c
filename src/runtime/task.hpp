#pragma once

#include <cstdint>

#include "runtime/mailbox.hpp"

namespace nanofaas::detail {

class Worker;

/// Work for a worker's main fiber: `run(worker, job)`, with up to three arguments that `run`
/// knows the types of. A plain value, so that posting it allocates nothing.
struct Job {
  void (*run)(Worker& worker, const Job& job) = nullptr;
  void* a = nullptr;
  void* b = nullptr;
  void* c = nullptr;
};

/// What any thread hands a worker (`Worker::post`).
struct Task {
  enum class Kind : std::uint8_t {
    deliver,  // sets `mailbox->item = item` and resumes the mailbox's fiber
    close,    // sets `mailbox->closed` and resumes the mailbox's fiber
    wake,     // resumes the mailbox's fiber if it is waiting
    job,      // runs `job` on the worker's main fiber
    stop,     // the worker ends once its fibers have ended
  };

  static Task deliver(Mailbox& mailbox, void* item, bool caller_waits) noexcept {
    return Task{Kind::deliver, caller_waits, &mailbox, item, {}};
  }
  static Task close(Mailbox& mailbox) noexcept { return Task{Kind::close, false, &mailbox}; }
  static Task wake(Mailbox& mailbox) noexcept { return Task{Kind::wake, false, &mailbox}; }
  static Task run(const Job& job) noexcept { return Task{Kind::job, false, nullptr, nullptr, job}; }
  static Task stop() noexcept { return Task{Kind::stop}; }

  Kind kind = Kind::stop;
  /// A caller waits for this delivery: it runs before other ready fibers.
  bool caller_waits = false;
  Mailbox* mailbox = nullptr;
  void* item = nullptr;
  Job job{};
};

}  // namespace nanofaas::detail
