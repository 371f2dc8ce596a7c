// Traces: one trace follows a chain through every path (a sync call, a nested call, an async
// event and its retry, the on-failure destination's queue, and the mapping that reads it), and
// the engine's spans print as a tree. With --otlp, the spans are also written as OTLP/JSON lines.

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/nanofaas.hpp"

using namespace std::chrono_literals;

namespace {

/// A finished span, its views copied.
struct Kept {
  nanofaas::Span span;
  std::string name;
  std::string detail;
};

std::string_view kind_name(nanofaas::SpanKind kind) {
  switch (kind) {
    case nanofaas::SpanKind::invoke: return "invoke";
    case nanofaas::SpanKind::event_attempt: return "event attempt";
    case nanofaas::SpanKind::destination: return "destination";
    case nanofaas::SpanKind::mapping_batch: return "mapping batch";
  }
  return "?";
}

std::string_view outcome_name(nanofaas::SpanOutcome outcome) {
  switch (outcome) {
    case nanofaas::SpanOutcome::ok: return "ok";
    case nanofaas::SpanOutcome::function_error: return "function error";
    case nanofaas::SpanOutcome::timeout: return "timeout";
    case nanofaas::SpanOutcome::throttled: return "throttled";
    case nanofaas::SpanOutcome::failed: return "failed";
  }
  return "?";
}

/// Appends `parent`'s children, depth first in start order: the line printed and the line
/// checked (the same without ids and times).
void walk(const std::multimap<std::uint64_t, const Kept*>& children, std::uint64_t parent,
          int depth, std::string& printed, std::string& shape) {
  std::vector<const Kept*> kids;
  for (auto [it, end] = children.equal_range(parent); it != end; ++it) kids.push_back(it->second);
  std::sort(kids.begin(), kids.end(), [](const Kept* a, const Kept* b) {
    return a->span.start_unix_nano < b->span.start_unix_nano;
  });
  for (const Kept* k : kids) {
    const nanofaas::Span& s = k->span;
    // Appended piece by piece: GCC 12 warns falsely on chains of std::string +.
    std::string line(static_cast<std::size_t>(depth) * 2, ' ');
    line.append(k->name).append("  ").append(kind_name(s.kind));
    if (s.kind == nanofaas::SpanKind::event_attempt)
      line.append(" ").append(std::to_string(s.attempt));
    line.append("  ").append(outcome_name(s.outcome));
    if (!k->detail.empty()) line.append(" (").append(k->detail).append(")");
    shape.append(line).append("\n");
    char timing[96];
    std::snprintf(timing, sizeof timing, "  span %s  %.3f ms%s",
                  nanofaas::to_hex16(s.span_id).c_str(),
                  static_cast<double>(s.end_unix_nano - s.start_unix_nano) / 1e6,
                  s.cold_start ? "  cold start" : "");
    printed.append(line).append(timing).append("\n");
    walk(children, s.span_id, depth + 1, printed, shape);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool otlp = argc > 1 && std::strcmp(argv[1], "--otlp") == 0;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Kept> spans;
  std::string otlp_lines;
  // The exporter runs on the worker where a span ends: it only copies the span under a lock.
  nanofaas::EngineConfig config;
  config.span_exporter = [&](const nanofaas::Span& span) {
    std::lock_guard lock(mutex);
    spans.push_back({span, span.name(), std::string(span.detail)});
    if (otlp) {
      nanofaas::append_otlp_json(otlp_lines, {&span, 1});
      otlp_lines += '\n';
    }
    changed.notify_all();
  };
  auto engine = nanofaas::Engine::create(std::move(config)).value();
  auto failures = nanofaas::Queue::create({.name = "ship-failures"}).value();

  // checkout → charge (nested) → ship (async, fails twice) → its record on the queue → alert.
  bool ok = static_cast<bool>(
      engine.add_function({.name = "checkout"}, [](const nanofaas::Event&, nanofaas::Context& ctx) {
        return ctx.invoke("charge", "{}").value().payload.view() == "charged"
                   ? nanofaas::Response::ok("done")
                   : nanofaas::Response::error("ChargeFailed", "no charge");
      }));
  ok = ok &&
       engine.add_function({.name = "charge"}, [](const nanofaas::Event&, nanofaas::Context& ctx) {
         (void)ctx.invoke_async("ship", "{}");
         return nanofaas::Response::ok("charged");
       });
  nanofaas::FunctionConfig ship{.name = "ship"};
  ship.async.maximum_retry_attempts = 1;
  ship.async.retry_delays = {5ms};
  ship.async.on_failure.queue = failures;
  ok = ok && engine.add_function(std::move(ship), [](const nanofaas::Event&) {
    return nanofaas::Response::error("NoCourier", "no courier today");
  });
  ok = ok && engine.add_function({.name = "alert"},
                                 [](const nanofaas::Event&) { return nanofaas::Response(); });
  if (!ok || !engine.create_event_source_mapping({.source = failures, .function_name = "alert"})) {
    return 1;
  }

  if (!engine.invoke("checkout", "{}")) return 1;
  {
    std::unique_lock lock(mutex);
    const bool all = changed.wait_for(lock, 20s, [&] { return spans.size() >= 6; });
    if (!all) {
      std::printf("only %zu spans arrived\n", spans.size());
      return 1;
    }
  }
  engine.shutdown(1s);

  std::multimap<std::uint64_t, const Kept*> children;
  std::vector<std::string> trace_ids;
  for (const Kept& k : spans) {
    children.emplace(k.span.trace.span_id, &k);
    trace_ids.push_back(k.span.trace.trace_id_hex());
  }
  std::sort(trace_ids.begin(), trace_ids.end());
  trace_ids.erase(std::unique(trace_ids.begin(), trace_ids.end()), trace_ids.end());
  std::string printed;
  std::string shape;
  walk(children, 0, 0, printed, shape);
  std::printf("trace %s (%zu spans)\n%s", trace_ids.front().c_str(), spans.size(), printed.c_str());
  if (otlp) std::fputs(otlp_lines.c_str(), stdout);

  constexpr std::string_view expected =
      "checkout:$LATEST  invoke  ok\n"
      "  charge:$LATEST  invoke  ok\n"
      "    ship:$LATEST  event attempt 1  function error (NoCourier)\n"
      "    ship:$LATEST  event attempt 2  function error (NoCourier)\n"
      "      ship:$LATEST  destination  ok (RetriesExhausted)\n"
      "        alert:$LATEST  mapping batch  ok\n";
  if (trace_ids.size() != 1 || shape != expected) {
    std::printf("MISMATCH: expected one trace shaped\n%s", std::string(expected).c_str());
    return 1;
  }
  return 0;
}
