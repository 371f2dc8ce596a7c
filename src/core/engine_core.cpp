#include "core/engine_core.hpp"

#include <boost/fiber/context.hpp>
#include <boost/fiber/operations.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>
#include <thread>
#include <utility>

#include "common/saturating_time.hpp"
#include "common/trace_ids.hpp"
#include "exec/environment.hpp"
#include "exec/event_completion.hpp"
#include "exec/log_writer.hpp"
#include "runtime/parker.hpp"
#include "runtime/placement.hpp"
#include "runtime/tick_clock.hpp"

namespace nanofaas::detail {
namespace {

constexpr auto reclaim_interval = std::chrono::seconds(1);

using steady = std::chrono::steady_clock;

/// One spare invocation per thread: a thread's next synchronous call reuses the memory of its
/// last one instead of a malloc and a free per call.
struct SpareInvocation {
  Invocation* spare = nullptr;
  ~SpareInvocation() { delete spare; }
};
thread_local SpareInvocation spare_invocation;

Invocation* new_invocation() {
  if (Invocation* inv = std::exchange(spare_invocation.spare, nullptr)) return inv;
  return new Invocation;
}

/// Frees an invocation its caller is done with: keeps it as the thread's spare if there is none.
void free_invocation(Invocation* inv) noexcept {
  if (spare_invocation.spare != nullptr) {
    delete inv;
    return;
  }
  inv->~Invocation();
  spare_invocation.spare = new (inv) Invocation;
}

}  // namespace

EngineCore::EngineCore(EngineConfig engine_config)
    : ExecHost(engine_config.clock == &Clock::steady() ? nullptr : engine_config.clock,
               engine_config.metrics),
      config(std::move(engine_config)),
      clock_is_steady(config.clock == &Clock::steady()),
      spinners(std::max(std::thread::hardware_concurrency(), 2u) - 1),
      concurrency(config.concurrency_limit, config.unreserved_concurrency_min) {
  if (config.log_sink) {
    log_thread = std::make_unique<LogWriter>(config.log_sink, config.log_buffer, config.workers);
    log_writer_ = log_thread.get();
  }
  if (config.span_exporter) set_span_exporter(&config.span_exporter);
  workers.reserve(config.workers);
  const WorkerConfig worker_config{.idle_spin = config.idle_spin,
                                   .spin_group = &spinners,
                                   .shared_jobs = &shared_jobs,
                                   .stack_size = config.stack_size,
                                   .stack_reserve = config.stack_reserve};
  for (std::uint32_t i = 0; i < config.workers; ++i) {
    workers.push_back(std::make_unique<Worker>(worker_config, *this, i));
  }
}

EngineCore::~EngineCore() {
  stop_workers();
}

void EngineCore::start() {
  next_reclaim = steady::now() + reclaim_interval;
  for (auto& w : workers) w->start();
}

EngineCore::time_point EngineCore::reclaim_when_due(time_point now) {
  if (now >= next_reclaim) {
    reclaim_idle_environments();
    next_reclaim = steady::now() + reclaim_interval;
  }
  return next_reclaim;
}

void EngineCore::stop_accepting() noexcept {
  accepting_.store(false, std::memory_order_seq_cst);
}

void EngineCore::wait_for_running() noexcept {
  for (;;) {
    bool busy = false;
    registry.for_each([&busy](const Function& fn) { busy |= fn.in_flight.load() != 0; });
    if (!busy) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void EngineCore::stop_workers() noexcept {
  if (workers_stopped) return;
  workers_stopped = true;
  // A worker cannot join itself: destroying the engine from a handler is a bug.
  NANOFAAS_ASSERT(own_worker() == nullptr);
  for (auto& w : workers) w->post(Task::stop());
  for (auto& w : workers) w->join();
  workers_joined.store(true, std::memory_order_release);
  // Nothing logs once the workers are gone: the writer writes what is left and ends.
  if (log_thread) log_thread->stop();
}

InvokeResult EngineCore::invoke(const InvokeRequest& request) {
  const std::uint32_t depth = request.depth;
  BatchCall* const batch = request.batch;
  auto target = validate(request.callee, request.payload.size(), request.principal);
  if (!target) return Unexpected(std::move(target).error());
  Version& v = *target->version;
  if (depth > max_chain_depth && v.recursive_loop == RecursiveLoop::terminate) {
    v.counters.recursive_dropped.fetch_add(1, std::memory_order_relaxed);
    auto error = fail(Errc::recursive_invocation, "a chain of " + std::to_string(depth) +
                                                      " invocations reached " +
                                                      std::string(request.callee.qualified_name) +
                                                      ": stopped as a recursive loop (more than " +
                                                      std::to_string(max_chain_depth) + ")");
    if (tracing()) export_refusal(request, v, error.error());
    return error;
  }
  auto slot = concurrency.acquire(*target->function, v);
  if (!slot) {
    if (target->alias != nullptr) {
      target->alias->counters->throttles.fetch_add(1, std::memory_order_relaxed);
    }
    if (tracing()) export_refusal(request, v, slot.error());
    return Unexpected(std::move(slot).error());
  }

  // Inlined: a call per invocation would cost more than half of what it does.
  auto prepare = [&](Invocation & inv) __attribute__((always_inline)) {
    inv.spec = &v;
    if (request.owned != nullptr) {
      inv.owned_payload = std::move(*request.owned);
      inv.payload = inv.owned_payload;
    } else {
      inv.payload = request.payload;
    }
    inv.invoked_qualifier = target->qualifier;
    if (target->alias != nullptr) inv.alias_counters = &target->alias->counters->per_worker;
    if (!request.principal.empty()) inv.principal = request.principal;
    if (!request.client_context.empty()) inv.client_context = request.client_context;
    inv.tail_log = request.tail_log;
    inv.depth = depth;
    inv.batch = batch;
    inv.slot = *slot;
    inv.out.request_id = request_ids.next();
    inv.start = TickClock::now();
    inv.deadline = inv.start + v.timeout;
    // The caller's trace, or a new one; a span of its own either way.
    if (request.trace != nullptr) {
      inv.trace = *request.trace;
      inv.parent_span = request.trace->span_id;
    } else {
      inv.trace = TraceIds::new_trace(unix_seconds(inv.start), inv.out.request_id);
    }
    inv.trace.span_id = TraceIds::span_id();
    v.counters.concurrent.fetch_add(1, std::memory_order_relaxed);
  };

  Worker* self = own_worker();
  // A mapping's poller keeps its batches on its own worker (an idle environment there, or a
  // new one): taking another worker's would cross threads per batch, and two pollers would
  // keep swapping environments.
  Environment* env = batch != nullptr && self != nullptr
                         ? v.pool.try_acquire_on(self->index())
                         : v.pool.try_acquire(self != nullptr ? self->index() : 0);
  count_spillover(v, env);
  if (env != nullptr && env->worker == self && depth <= max_inline_depth) {
    // Caller runs: a handler calling a function whose idle environment lives on the same
    // worker runs that environment's handler on its own fiber, with no switch. The callee
    // could not have run before the caller yields anyway, and the caller waits untimed.
    Invocation inv;
    prepare(inv);
    inv.same_worker = true;
    self->load.fetch_add(1, std::memory_order_relaxed);
    env->run_inline(inv);
    return InvokeResult(std::move(inv.out));
  }
  Invocation* inv = new_invocation();
  prepare(*inv);
  if (env == nullptr)
    inv->init_allowance.store(Invocation::init_running, std::memory_order_relaxed);
  const auto deadline = inv->deadline;  // the environment moves its copy after a cold init
  dispatch(*inv, env, self);
  return wait(inv, deadline, request.parent_deadline);
}

void EngineCore::count_spillover(Version& v, const Environment* env) noexcept {
  if (v.pool.provisioned_target.load(std::memory_order_relaxed) > 0 &&
      (env == nullptr || !env->provisioned)) {
    if (auto* c = v.counters.per_worker.local()) c->bump(c->spillover);
  }
}

Worker& EngineCore::pick_worker() noexcept {
  return detail::pick_worker(workers, last_picked_);
}

void EngineCore::post_anywhere(const Job& job) {
  detail::post_anywhere(workers, last_picked_, shared_jobs, job);
}

void EngineCore::dispatch(Invocation& inv, Environment* env, Worker* self) {
  Version& v = version_of(inv);
  if (env != nullptr) {
    env->worker->load.fetch_add(1, std::memory_order_relaxed);
    if (env->worker == self) {
      inv.same_worker = true;
      env->mailbox.item = &inv;
      self->resume(env->mailbox);
    } else {
      env->worker->post(Task::deliver(env->mailbox, &inv, inv.event == nullptr));
    }
    return;
  }
  Worker& w = self != nullptr ? *self : detail::pick_worker_to_init(workers);
  w.load.fetch_add(1, std::memory_order_relaxed);
  if (&w == self) {
    inv.same_worker = true;
    Environment::spawn(*self, v, &inv, false, nullptr);
  } else {
    w.post(Task::run(Environment::spawn_job(v, &inv, nullptr)));
  }
}

namespace {

// When a caller waiting for `inv` gives up: its deadline at dispatch, moved by the init time a
// cold start did not count (up to the init's own limit while that init still runs).
Clock::time_point give_up_time(const Invocation& inv, Clock::time_point deadline) noexcept {
  const std::int64_t allowance = inv.init_allowance.load(std::memory_order_acquire);
  return deadline + (allowance == Invocation::init_running ? Environment::init_phase_limit
                                                           : std::chrono::nanoseconds(allowance));
}

}  // namespace

InvokeResult EngineCore::wait(Invocation* inv, Clock::time_point deadline,
                              Clock::time_point parent_deadline) {
  // Read before giving up: once abandoned, the invocation belongs to the environment.
  Version& version = version_of(*inv);
  const RequestId id = inv->out.request_id;
  PerWorkerCounters* const alias_counters = inv->alias_counters;
  if (Worker::current() != nullptr) {
    // Inside a handler: suspend this fiber only, until completion or the deadline. twstatus is
    // Boost's handshake between a timed wait and a waker on another thread.
    boost::fibers::context* self = boost::fibers::context::active();
    inv->waiter = self;
    self->twstatus.store(reinterpret_cast<std::intptr_t>(inv), std::memory_order_release);
    std::uint32_t expected = Invocation::pending;
    if (inv->state.compare_exchange_strong(expected, Invocation::fiber_waiting,
                                           std::memory_order_acq_rel)) {
      // Until the callee's deadline, or the calling handler's own if that comes first (its
      // caller stops waiting then; nothing it waits for may outlast it).
      if (inv->batch != nullptr) {
        self->wait_until(Clock::time_point::max());
      } else {
        auto until = std::min(deadline, parent_deadline);
        while (!self->wait_until(until)) {
          // Timed out at a time a cold start's init has since moved: wait on. Back to
          // `pending` to re-arm the wake-up, as above; a completer that claims the
          // invocation meanwhile wakes no one, and the spin below waits for it.
          const auto later = std::min(give_up_time(*inv, deadline), parent_deadline);
          if (later <= until) break;
          expected = Invocation::fiber_waiting;
          if (!inv->state.compare_exchange_strong(expected, Invocation::pending,
                                                  std::memory_order_acq_rel)) {
            break;
          }
          self->twstatus.store(reinterpret_cast<std::intptr_t>(inv), std::memory_order_release);
          expected = Invocation::pending;
          if (!inv->state.compare_exchange_strong(expected, Invocation::fiber_waiting,
                                                  std::memory_order_acq_rel)) {
            break;
          }
          until = later;
        }
      }
    }
    self->twstatus.store(0, std::memory_order_release);
    expected = Invocation::fiber_waiting;
    if (inv->state.compare_exchange_strong(expected, Invocation::abandoned,
                                           std::memory_order_acq_rel)) {
      return abandon(version, alias_counters, id);
    }
    while (inv->state.load(std::memory_order_acquire) != Invocation::done) spin_pause();
  } else {
    // A plain thread: spin briefly (a warm call returns within a microsecond or two), then
    // sleep on the futex until completion or the deadline.
    const bool spin = config.caller_spin.count() > 0;
    const auto spin_until =
        spin ? saturating_add(steady::now(), config.caller_spin) : steady::now();
    while (inv->state.load(std::memory_order_acquire) != Invocation::done) {
      if (spin) {
        for (int i = 0; i < 32; ++i) spin_pause();
        if (steady::now() < spin_until) continue;
      }
      std::uint32_t expected = Invocation::pending;
      if (!inv->state.compare_exchange_strong(expected, Invocation::caller_sleeping,
                                              std::memory_order_acq_rel)) {
        continue;  // completing or done: moments away
      }
      for (;;) {
        const auto remaining = give_up_time(*inv, deadline) - steady::now();
        if (remaining.count() <= 0) {
          expected = Invocation::caller_sleeping;
          if (inv->state.compare_exchange_strong(expected, Invocation::abandoned,
                                                 std::memory_order_acq_rel)) {
            return abandon(version, alias_counters, id);
          }
          break;  // completing or done
        }
        futex_wait(inv->state, Invocation::caller_sleeping, remaining);
        if (inv->state.load(std::memory_order_acquire) != Invocation::caller_sleeping) break;
      }
    }
  }
  InvokeResult result(std::move(inv->out));
  free_invocation(inv);
  return result;
}

InvokeResult EngineCore::abandon(Version& v, PerWorkerCounters* alias_counters, RequestId id) {
  // The caller gets Lambda's timeout error at the deadline. The environment still runs the
  // handler and owns (and may already have freed) the invocation: it is not touched here.
  v.counters.per_worker.count_invocation(true, true, v.timeout);
  if (alias_counters != nullptr) alias_counters->count_invocation(true, true, v.timeout);
  InvokeOutput out;
  out.request_id = id;
  out.executed_version = v.name;
  out.duration = v.timeout;
  out.function_error =
      FunctionError{FunctionError::Kind::unhandled, "Sandbox.Timedout", v.timeout_message()};
  return out;
}

InvokeResult EngineCore::nested_invoke(Callee callee, PayloadView payload,
                                       const InvokeOptions& options, std::uint32_t depth,
                                       const TraceContext& trace,
                                       Clock::time_point parent_deadline) {
  return invoke(InvokeRequest{.callee = callee,
                              .payload = payload,
                              .principal = options.principal,
                              .client_context = options.client_context,
                              .tail_log = options.tail_log,
                              .trace = &trace,
                              .depth = depth,
                              .parent_deadline = parent_deadline});
}

void EngineCore::complete(Invocation& inv, bool timed_out) noexcept {
  if (inv.event != nullptr) {  // an environment that failed to start, for an Event invocation
    inv.event->finished(timed_out, false, {});
    return;
  }
  Version& v = version_of(inv);
  // Claim the invocation first, so that the caller cannot give up half-way through and both
  // sides count it; a caller that finds `completing` waits the few instructions until `done`.
  std::uint32_t waiting = inv.state.load(std::memory_order_acquire);
  do {
    if (waiting == Invocation::abandoned) {
      // The caller answered Sandbox.Timedout at the deadline and counted the call.
      concurrency.release(v, inv.slot);
      v.counters.concurrent.fetch_sub(1, std::memory_order_relaxed);
      delete &inv;
      return;
    }
  } while (
      !inv.state.compare_exchange_weak(waiting, Invocation::completing, std::memory_order_acq_rel));
  const bool error = inv.out.function_error.has_value();
  v.counters.per_worker.count_invocation(error, timed_out, inv.out.duration);
  if (inv.alias_counters != nullptr) {
    inv.alias_counters->count_invocation(error, timed_out, inv.out.duration);
  }
  concurrency.release(v, inv.slot);
  v.counters.concurrent.fetch_sub(1, std::memory_order_relaxed);
  // Claim the wake-up before publishing `done`: after `done` the caller may free `inv` and
  // start another call whose twstatus value could equal this one's address.
  boost::fibers::context* waiter = waiting == Invocation::fiber_waiting ? inv.waiter : nullptr;
  std::intptr_t expected = reinterpret_cast<std::intptr_t>(&inv);
  const bool wake = waiter != nullptr && waiter->twstatus.compare_exchange_strong(
                                             expected, -1, std::memory_order_acq_rel);
  inv.state.store(Invocation::done, std::memory_order_release);  // the caller may free `inv`
  if (waiting == Invocation::caller_sleeping) {
    futex_wake_all(inv.state);
  } else if (wake) {
    boost::fibers::context::active()->schedule(waiter);  // still suspended until this
  }
}

std::size_t EngineCore::reclaim_idle_environments() {
  std::vector<Environment*> expired;
  const auto now = config.clock->now();
  registry.for_each_version([&](Version& v) { v.pool.take_expired(now - v.keep_alive, expired); });
  retire(expired);
  return expired.size();
}

void EngineCore::retire_all_idle() {
  std::vector<Environment*> idle;
  registry.for_each_version([&idle](Version& v) { v.pool.take_idle(idle); });
  retire(idle);
}

void EngineCore::retire(const std::vector<Environment*>& environments) {
  for (Environment* env : environments) env->worker->post(Task::close(env->mailbox));
}

void EngineCore::export_refusal(const InvokeRequest& request, const Version& v,
                                const Error& error) const noexcept {
  // A throttled call ran nothing: a span of no length, so that the trace shows the refusal.
  Span span;
  if (request.trace != nullptr) span.trace = *request.trace;
  const auto now = steady::now();
  if (!span.trace.valid()) {
    span.trace =
        TraceIds::new_trace(unix_seconds(now), RequestId{TraceIds::span_id(), TraceIds::span_id()});
  }
  span.span_id = TraceIds::span_id();
  span.kind = request.batch != nullptr ? SpanKind::mapping_batch : SpanKind::invoke;
  span.outcome = SpanOutcome::throttled;
  span.function_name = v.function->name;
  span.function_version = v.name;
  span.start_unix_nano = span.end_unix_nano = unix_nanos(now);
  span.detail =
      error.reason != ThrottleReason::none ? lambda_name(error.reason) : lambda_name(error.code);
  export_span(span);
}

}  // namespace nanofaas::detail
