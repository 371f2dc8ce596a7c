#include "async_checks.hpp"

#include <cstdio>
#include <string>

#include "outcomes.hpp"

namespace soak {
namespace {

enum class Ended : std::uint8_t { nowhere, succeeded, failed, spilled, audit_undelivered };

const char* profile_name(Profile p) {
  static constexpr const char* names[] = {"?",      "record sinks",  "callbacks", "callback+sink",
                                          "queues", "audit function"};
  return names[static_cast<unsigned>(p) % 6];
}

std::string describe(std::uint64_t seq, const LedgerEntry& e) {
  std::string s = "event " + std::to_string(seq) + " (" + profile_name(e.profile()) + "):";
  static constexpr const char* channels[] = {"success",         "failure",    "dead letter",
                                             "spill",           "completion", "audit of success",
                                             "audit of failure"};
  for (unsigned c = 0; c < 7; ++c) {
    s += ' ';
    s += channels[c];
    s += '=';
    s += std::to_string(e.count(static_cast<Channel>(c)));
  }
  return s;
}

/// How the event ended by what its profile's targets got; `nowhere` when that is not
/// exactly one outcome.
Ended classify(const LedgerEntry& e) {
  const unsigned s = e.count(Channel::success), f = e.count(Channel::failure_record),
                 d = e.count(Channel::dead_letter), p = e.count(Channel::spill),
                 ds = e.count(Channel::derived_success), df = e.count(Channel::derived_failure);
  const bool audited = e.profile() == Profile::audit_function;
  if (p == 1 && s + f + d + ds + df == 0) return Ended::spilled;
  if (p != 0) return Ended::nowhere;
  if (audited) {
    if (s + f + d != 0) return Ended::nowhere;
    if (ds + df == 0) return Ended::audit_undelivered;
    if (ds == 1 && df == 0) return Ended::succeeded;
    if (df == 1 && ds == 0) return Ended::failed;
    return Ended::nowhere;
  }
  if (ds + df != 0) return Ended::nowhere;
  if (s == 1 && f + d == 0) return Ended::succeeded;
  if (s != 0) return Ended::nowhere;
  bool failed = false;
  switch (e.profile()) {
    case Profile::record_sinks: failed = f == 1 && d == 0; break;
    case Profile::callbacks:
    case Profile::queues: failed = d == 1 && f == 0; break;
    case Profile::callback_and_sink: failed = f == 1 && d == 1; break;
    default: break;
  }
  return failed ? Ended::failed : Ended::nowhere;
}

void check_completion(std::uint64_t seq, const LedgerEntry& e, Ended ended, Violations& v) {
  const unsigned c = e.count(Channel::completion);
  if (!e.wants_completion()) {
    if (c != 0) v.add("a completion ran for an event that gave none", describe(seq, e));
    return;
  }
  if (c != 1) {
    v.add("an event's completion did not run exactly once", describe(seq, e));
    return;
  }
  if (e.completion_mix != 0) v.add("the completion named another request id", describe(seq, e));
  const Ending said = e.ending();
  const bool agrees = (ended == Ended::succeeded && said == Ending::success) ||
                      (ended == Ended::failed && said == Ending::failure) ||
                      (ended == Ended::spilled && said == Ending::shutdown) ||
                      (ended == Ended::audit_undelivered && said != Ending::shutdown);
  if (!agrees)
    v.add("the completion's condition disagrees with the destinations", describe(seq, e));
}

/// Per-version invariants of the engine's own counters after shutdown.
void check_version(const nanofaas::FunctionMetrics& m, bool may_fail_delivery, Violations& v) {
  const std::string who = m.function_name + ":" + m.version;
  if (m.async_events_received !=
      m.async_events_succeeded + m.async_events_failed + m.async_events_spilled) {
    v.add("engine: received != succeeded + failed + spilled",
          who + " received " + std::to_string(m.async_events_received) + ", succeeded " +
              std::to_string(m.async_events_succeeded) + ", failed " +
              std::to_string(m.async_events_failed) + ", spilled " +
              std::to_string(m.async_events_spilled) + ", pending " +
              std::to_string(m.async_pending));
  }
  if (m.async_pending != 0) v.add("engine: events pending after shutdown", who);
  const auto& by = m.async_events_dropped_by;
  if (m.async_events_dropped != m.async_events_failed + m.async_events_spilled ||
      by.shutdown != m.async_events_spilled) {
    v.add("engine: dropped != failed + spilled", who);
  }
  if (m.async_events_discarded != 0) v.add("engine: events discarded with no target", who);
  if (m.dead_letter_errors != 0) v.add("engine: dead-letter errors", who);
  if (m.destination_delivery_failures != 0 && !may_fail_delivery) {
    v.add("engine: destination delivery failures", who);
  }
  if (m.concurrent_executions != 0) v.add("engine: executions still running after shutdown", who);
}

void add_counters(nanofaas::FunctionMetrics& sum, const nanofaas::FunctionMetrics& m) {
  sum.invocations += m.invocations;
  sum.errors += m.errors;
  sum.throttles += m.throttles;
  sum.timeouts += m.timeouts;
  sum.cold_starts += m.cold_starts;
  sum.async_events_received += m.async_events_received;
  sum.async_events_succeeded += m.async_events_succeeded;
  sum.async_events_failed += m.async_events_failed;
  sum.async_events_spilled += m.async_events_spilled;
  sum.async_events_dropped += m.async_events_dropped;
  sum.async_events_dropped_by.retries_exhausted += m.async_events_dropped_by.retries_exhausted;
  sum.async_events_dropped_by.event_age_exceeded += m.async_events_dropped_by.event_age_exceeded;
  sum.async_events_dropped_by.throttled += m.async_events_dropped_by.throttled;
  sum.async_events_dropped_by.recursive_loop += m.async_events_dropped_by.recursive_loop;
  sum.async_events_dropped_by.shutdown += m.async_events_dropped_by.shutdown;
  sum.async_retries += m.async_retries;
  sum.async_throttled += m.async_throttled;
  sum.destination_delivery_failures += m.destination_delivery_failures;
  sum.recursive_invocations_dropped += m.recursive_invocations_dropped;
}

}  // namespace

AsyncTally check_async(const AsyncLedger& ledger, const nanofaas::MetricsSnapshot& metrics,
                       const Fleet& fleet, Violations& v) {
  AsyncTally t;
  t.issued = ledger.issued();
  for (std::uint64_t seq = 0; seq < t.issued; ++seq) {
    const LedgerEntry e = ledger.entry(seq);
    if (e.accepted() == e.rejected()) {
      v.add("an event was both accepted and refused, or neither", describe(seq, e));
      continue;
    }
    if (e.rejected()) {
      ++t.refused;
      if (e.counts != 0) v.add("an outcome arrived for a refused event", describe(seq, e));
      continue;
    }
    ++t.accepted;
    t.with_completion += e.wants_completion();
    t.audit_events += e.count(Channel::derived_success) + e.count(Channel::derived_failure);
    const Ended ended = classify(e);
    switch (ended) {
      case Ended::nowhere:
        v.add("an event did not end exactly once on its profile's targets", describe(seq, e));
        continue;
      case Ended::succeeded: ++t.succeeded; break;
      case Ended::failed: ++t.failed; break;
      case Ended::spilled: ++t.spilled; break;
      case Ended::audit_undelivered: ++t.undelivered_audits; break;
    }
    if (ended != Ended::audit_undelivered && e.id_mix != 0) {
      v.add("an outcome named another request id than invoke_async returned", describe(seq, e));
    }
    check_completion(seq, e, ended, v);
  }
  v.expect_equal("outcomes with no traceable event", 0, ledger.untraceable());
  v.expect_equal("ledger accepted count", ledger.accepted_count(), t.accepted);

  nanofaas::FunctionMetrics callers;  // the functions the soak invokes
  nanofaas::FunctionMetrics audits;   // the audit functions
  std::uint64_t audited_outcomes = 0, audited_delivery_failures = 0;
  for (const auto& m : metrics.functions) {
    const bool audited = fleet.profile_of(m.function_name) == Profile::audit_function;
    check_version(m, audited, v);
    add_counters(is_audit_function(m.function_name) ? audits : callers, m);
    add_counters(t.engine, m);
    ++t.versions;
    if (audited) {
      audited_outcomes += m.async_events_succeeded + m.async_events_failed;
      audited_delivery_failures += m.destination_delivery_failures;
    }
  }
  // The caller's accepted ids against the engine's counters.
  v.expect_equal("engine received = events accepted", t.accepted, callers.async_events_received);
  v.expect_equal("engine spilled = events spilled", t.spilled, callers.async_events_spilled);
  v.expect_equal("engine succeeded + failed = ended events",
                 t.succeeded + t.failed + t.undelivered_audits,
                 callers.async_events_succeeded + callers.async_events_failed);
  if (callers.async_events_succeeded < t.succeeded || callers.async_events_failed < t.failed) {
    v.add("engine: fewer successes or failures than the destinations got");
  }
  v.expect_equal("undelivered audit records = the engine's delivery failures",
                 audited_delivery_failures, t.undelivered_audits);
  v.expect_equal("audit events received = records delivered to them",
                 audited_outcomes - audited_delivery_failures, audits.async_events_received);
  v.expect_equal("audit events received = audit events ended", audits.async_events_received,
                 t.audit_events);
  return t;
}

void print_async(const AsyncTally& t) {
  const auto& e = t.engine;
  const auto& by = e.async_events_dropped_by;
  std::printf(
      "async events: %llu accepted (%llu with a completion), %llu refused\n"
      "  caller side: %llu succeeded, %llu failed, %llu spilled at shutdown, %llu whose audit "
      "record was refused; %llu audit events\n"
      "  engine (%llu versions): received %llu = succeeded %llu + failed %llu + spilled %llu\n"
      "  failed by reason: retries exhausted %llu, event age %llu, throttled %llu, recursive "
      "loop %llu; retries %llu, throttled dispatches %llu\n"
      "  invocations %llu (errors %llu, timeouts %llu, throttles %llu), cold starts %llu\n",
      static_cast<unsigned long long>(t.accepted),
      static_cast<unsigned long long>(t.with_completion),
      static_cast<unsigned long long>(t.refused), static_cast<unsigned long long>(t.succeeded),
      static_cast<unsigned long long>(t.failed), static_cast<unsigned long long>(t.spilled),
      static_cast<unsigned long long>(t.undelivered_audits),
      static_cast<unsigned long long>(t.audit_events), static_cast<unsigned long long>(t.versions),
      static_cast<unsigned long long>(e.async_events_received),
      static_cast<unsigned long long>(e.async_events_succeeded),
      static_cast<unsigned long long>(e.async_events_failed),
      static_cast<unsigned long long>(e.async_events_spilled),
      static_cast<unsigned long long>(by.retries_exhausted),
      static_cast<unsigned long long>(by.event_age_exceeded),
      static_cast<unsigned long long>(by.throttled),
      static_cast<unsigned long long>(by.recursive_loop),
      static_cast<unsigned long long>(e.async_retries),
      static_cast<unsigned long long>(e.async_throttled),
      static_cast<unsigned long long>(e.invocations), static_cast<unsigned long long>(e.errors),
      static_cast<unsigned long long>(e.timeouts), static_cast<unsigned long long>(e.throttles),
      static_cast<unsigned long long>(e.cold_starts));
}

}  // namespace soak
