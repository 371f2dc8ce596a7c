#pragma once

namespace boost::fibers {
class context;
}

namespace nanofaas::detail {

/// A fiber that sleeps until its worker resumes it: an execution environment waiting for its
/// next invocation, a poller waiting for records. Touched only on its worker's thread.
struct Mailbox {
  boost::fibers::context* fiber = nullptr;
  /// What the fiber runs next; set by the worker before it resumes the fiber (`Task::deliver`).
  void* item = nullptr;
  /// Set by the worker before it resumes the fiber for the last time (`Task::close`).
  bool closed = false;
  /// Set by the fiber while it waits to be woken; only then may `Task::wake` resume it (at
  /// other times it may be waiting for something else).
  bool waiting = false;
};

}  // namespace nanofaas::detail
