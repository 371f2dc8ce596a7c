#include "exec/environment.hpp"

#include <boost/core/demangle.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/operations.hpp>

#include <cstdio>
#include <exception>
#include <typeinfo>

#include "exec/environment_spec.hpp"
#include "exec/event_completion.hpp"
#include "exec/invocation.hpp"
#include "exec/invocation_log.hpp"
#include "exec/provision_latch.hpp"
#include "runtime/chain_depth.hpp"
#include "runtime/tick_clock.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {
namespace {

using steady = std::chrono::steady_clock;

/// The exception's dynamic type, demangled ("std::runtime_error"): Lambda's `errorType`.
std::string exception_type(const std::exception& e) {
  return boost::core::demangle(typeid(e).name());
}

}  // namespace

void Environment::spawn(Worker& worker, EnvironmentSpec& spec, Invocation* first, bool provisioned,
                        ProvisionLatch* latch) {
  auto* env = new Environment(spec, worker, first, provisioned, latch);
  spec.pool.environments.fetch_add(1, std::memory_order_relaxed);
  try {
    worker.spawn([env] { env->run(); });
  } catch (const std::exception&) {
    // No stack could be mapped: the environment fails like an init error.
    env->fail_to_start("Runtime.OutOfMemory", "no stack for a new execution environment");
  }
}

Job Environment::spawn_job(EnvironmentSpec& spec, Invocation* first,
                           ProvisionLatch* latch) noexcept {
  return Job{[](Worker& worker, const Job& job) {
               auto* first = static_cast<Invocation*>(job.b);
               spawn(worker, *static_cast<EnvironmentSpec*>(job.a), first, first == nullptr,
                     static_cast<ProvisionLatch*>(job.c));
             },
             &spec, first, latch};
}

void Environment::run() noexcept {
  mailbox.fiber = boost::fibers::context::active();
  ChainSlot* const depth_slot = fiber_chain_depth();  // this fiber's, looked up once
  if (initialise()) {
    bool keep = true;
    if (mailbox.item == nullptr) {  // provisioned ahead of any call: idle first, then report
      spec->pool.release(this, spec->host->keep_alive_now(steady::now()));
      if (latch != nullptr) std::exchange(latch, nullptr)->count_down();
    }
    for (;;) {
      while (keep && mailbox.item != nullptr) keep = execute(*take_pending(), depth_slot);
      if (!keep || mailbox.closed || discard) break;
      mailbox.fiber->suspend();
    }
  }
  finish();
}

bool Environment::initialise() noexcept {
  VersionCounters& counters = spec->counters;
  invocation_log::init_start(*spec, provisioned);
  const auto start = steady::now();
  std::string error_type;
  std::string message;
  try {
    InitContext init(*spec);
    handler = spec->factory->create(init);
  } catch (const std::exception& e) {
    error_type = "Runtime.InitError";
    message = exception_type(e) + ": " + e.what();
  } catch (...) {
    error_type = "Runtime.InitError";
    message = "unknown exception during init";
  }
  init_duration_ = steady::now() - start;
  invocation_log::init_report(*spec, provisioned, init_duration_, error_type);
  InvocationCounters* local = counters.per_worker.local();
  if (local != nullptr) {
    local->bump(local->cold_starts);
    local->record(local->init_duration, init_duration_);
  }
  if (!error_type.empty()) {
    if (local != nullptr) local->bump(local->init_errors);
    report_start_failure(error_type, message);
    return false;
  }
  initialised = true;
  report_init_ = mailbox.item != nullptr;  // a provisioned environment's init is not a call's
  if (provisioned) spec->pool.provisioned_ready.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Environment::report_start_failure(std::string_view error_type,
                                       std::string_view message) noexcept {
  if (latch != nullptr) std::exchange(latch, nullptr)->count_down(message);
  Invocation* invocation = take_pending();
  if (invocation == nullptr) return;
  invocation->out.executed_version = spec->name;
  invocation->out.init_duration = init_duration_;
  invocation->out.function_error =
      FunctionError{FunctionError::Kind::unhandled, std::string(error_type), std::string(message)};
  if (spec->host->tracing()) {
    const auto now = TickClock::now();
    spec->host->export_invocation_span(*invocation, now - init_duration_, now, true, false);
  }
  worker->load.fetch_sub(1, std::memory_order_relaxed);
  spec->host->complete(*invocation, false);
}

void Environment::run_inline(Invocation& invocation) noexcept {
  // On the caller's fiber: its chain depth is looked up, and restored when this call ends.
  if (execute(invocation, fiber_chain_depth())) return;
  // Discard: the fiber is suspended idle in its loop; wake it to exit (finish() counts it
  // out and replaces a provisioned one).
  discard = true;
  worker->resume(mailbox);
}

void Environment::fail_to_start(std::string_view error_type, std::string_view message) noexcept {
  report_start_failure(error_type, message);
  finish();
}

bool Environment::execute(Invocation& invocation, ChainSlot* depth_slot) noexcept {
  EnvironmentSpec& v = *spec;
  ExecHost& host = *v.host;
  Context context(invocation, *this);
  InvokeOutput& out = invocation.out;
  // A call from this worker starts right away: its dispatch time stands in for the start
  // (one clock read fewer on the nested path). Queued and cold calls read the clock.
  const auto start = invocation.same_worker && !report_init_ ? invocation.start : TickClock::now();
  // Placement may add work behind a handler that ran briefly last time (`pick_worker`).
  worker->begin_handler(start, quick_);
  const bool cold = report_init_;
  if (report_init_) {
    out.init_duration = init_duration_;
    report_init_ = false;
    const auto allowance = std::min(init_duration_, init_phase_limit);
    invocation.deadline += allowance;
    invocation.init_allowance.store(allowance.count(), std::memory_order_release);
  }
  const bool logged = invocation_log::wanted(v, invocation);
  if (logged) invocation_log::start(v, invocation);
  Response response;
  bool threw = false;
  // Events the dispatcher took in bulk wait behind this handler: if it suspends, the
  // scheduler hands them back (see `EventCompletion`).
  EventCompletion* const holding = invocation.event;
  if (holding != nullptr) worker->holding = holding;
  {
    // Messages the handler sends to a queue carry its depth (recursive loop detection) and
    // its trace.
    const FiberChainDepth chain_depth(depth_slot, invocation.depth, &invocation.trace);
    try {
      response = invocation.batch != nullptr ? (*handler)(Event(*invocation.batch->batch), context)
                                             : (*handler)(Event(invocation.payload), context);
    } catch (const std::exception& e) {
      threw = true;
      out.function_error =
          FunctionError{FunctionError::Kind::unhandled, exception_type(e), e.what()};
    } catch (...) {
      threw = true;
      out.function_error =
          FunctionError{FunctionError::Kind::unhandled, "Unknown", "unknown exception"};
    }
  }
  if (holding != nullptr && worker->holding == holding) worker->holding = nullptr;
  const auto end = TickClock::now();
  const bool timed_out = end >= invocation.deadline;
  out.duration = end - start;
  quick_ = out.duration <= Worker::brief_run;
  // A refilled invocation ran the same version: its name is already there.
  if (out.executed_version != v.name) out.executed_version = v.name;
  if (timed_out) {
    out.function_error =
        FunctionError{FunctionError::Kind::unhandled, "Sandbox.Timedout", v.timeout_message()};
  } else if (threw) {
    // function_error already set
  } else if (response.is_error()) {
    out.function_error = FunctionError{FunctionError::Kind::handled, response.error_type(),
                                       response.error_message()};
  } else if (response.body().size() > v.max_response_bytes) {
    out.function_error =
        FunctionError{FunctionError::Kind::unhandled, "Function.ResponseSizeTooLarge",
                      "Response payload size (" + std::to_string(response.body().size()) +
                          " bytes) exceeded maximum allowed payload size (" +
                          std::to_string(v.max_response_bytes) + " bytes)."};
  } else {
    if (invocation.batch != nullptr) {
      invocation.batch->failed_items = std::move(response.failed_items());
      invocation.batch->state = std::move(response.state());
    }
    out.payload = std::move(response).body();
  }
  if (logged) {
    invocation_log::end(v, invocation,
                        timed_out            ? LogStatus::timeout
                        : out.function_error ? LogStatus::error
                                             : LogStatus::success,
                        out.duration);
  }
  if (host.tracing()) [[unlikely]]
    host.export_invocation_span(invocation, start, end, cold, timed_out);
  // A timed-out environment is discarded (its handler state is suspect), and so is a
  // provisioned one beyond a lowered target; otherwise it is idle again before the caller
  // wakes, so the caller's next call finds it warm.
  const bool keep = !timed_out && !leave_if_surplus();
  if (invocation.event != nullptr && keep) {
    // An Event invocation: this environment goes on with the version's next queued event.
    if (Invocation* next = invocation.event->finished(false, true, end)) {
      mailbox.item = next;
      // Other fibers of this worker (callers, other functions' pumps) get their turn, at
      // once when a caller's invocation was posted to the worker.
      if (++drained_ % yield_every == 0 || worker->has_waiting_callers()) {
        boost::this_fiber::yield();
        // The next event starts when this environment runs again, not before its turn: its
        // duration and deadline do not count the other fibers' time.
        next->start = TickClock::now();
        next->deadline = next->start + v.timeout;
      }
      return true;
    }
    v.pool.release(this, host.keep_alive_now(end));
    worker->load.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  if (keep) v.pool.release(this, host.keep_alive_now(end));
  worker->load.fetch_sub(1, std::memory_order_relaxed);
  if (invocation.event != nullptr) {
    // Discarded while draining: the events it took and did not run go back to the queue.
    invocation.event->finished(timed_out, false, end);
  } else {
    host.complete(invocation, timed_out);  // may free `invocation`
  }
  return keep;
}

bool Environment::leave_if_surplus() noexcept {
  if (!provisioned) return false;
  Pool& pool = spec->pool;
  std::uint32_t ready = pool.provisioned_ready.load(std::memory_order_relaxed);
  while (ready > pool.provisioned_target.load(std::memory_order_relaxed)) {
    if (pool.provisioned_ready.compare_exchange_weak(ready, ready - 1, std::memory_order_relaxed)) {
      provisioned = false;  // counted out of provisioned_ready here; finish() skips it
      return true;
    }
  }
  return false;
}

void Environment::finish() noexcept {
  Pool& pool = spec->pool;
  if (!mailbox.closed) pool.environments.fetch_sub(1, std::memory_order_relaxed);
  if (initialised && provisioned) {
    pool.provisioned_ready.fetch_sub(1, std::memory_order_relaxed);
    // A provisioned environment lost to a timeout is replaced, as Lambda keeps the count.
    if (!mailbox.closed && !worker->stopping() && spec->host->accepting() &&
        pool.provisioned_ready.load(std::memory_order_relaxed) <
            pool.provisioned_target.load(std::memory_order_relaxed)) {
      spawn(*worker, *spec, nullptr, true, nullptr);
    }
  }
  delete this;
}

}  // namespace nanofaas::detail
