// Every invocation has a trace context, and it follows the call wherever it goes: nested
// calls, async events and their retries, destinations, dead letters, queue and stream records
// and the mappings that read them. Spans reach the host's exporter with their parents.

#include <gtest/gtest.h>

#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/trace_scope.hpp"
#include "test_support.hpp"
#include "trace_test_support.hpp"

namespace {

using namespace nanofaas;
using namespace nanofaas::test;
using namespace std::chrono_literals;

const TraceContext caller{0x5759e988bd862e3fu, 0xe1be46a994272793u, 0x53995c3f42cd8ad8u, true};

bool same_trace(const TraceContext& a, const TraceContext& b) {
  return a.trace_id_high == b.trace_id_high && a.trace_id_low == b.trace_id_low;
}

/// Keeps what handlers saw, under a lock.
struct Seen {
  std::mutex mutex;
  std::vector<TraceContext> traces;
  void add(const TraceContext& t) {
    std::lock_guard lock(mutex);
    traces.push_back(t);
  }
  std::vector<TraceContext> all() {
    std::lock_guard lock(mutex);
    return traces;
  }
};

/// Receives and deletes what `queue` holds now.
std::vector<TraceContext> traces_in(Queue& queue) {
  auto reader = queue.open({}).value();
  std::vector<Record> records;
  reader->poll(0, 100, records);
  std::vector<TraceContext> out;
  for (const Record& r : records) out.push_back(r.trace);
  reader->ack(records);
  return out;
}

TEST(TracePropagationTest, ACallFromTheHostStartsANewTraceForEachCall) {
  auto engine = make_engine();
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
    return Response::ok(ctx.trace().traceparent());
  }));
  auto first = TraceContext::from_traceparent(engine.invoke("f", "")->payload.view());
  auto second = TraceContext::from_traceparent(engine.invoke("f", "")->payload.view());
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->valid());
  EXPECT_NE(first->span_id, 0u);
  EXPECT_TRUE(first->sampled);
  EXPECT_FALSE(same_trace(*first, *second));
  // X-Ray's form: the id starts with the time in seconds.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(first->trace_id_high >> 32), static_cast<double>(now), 60.0);
}

TEST(TracePropagationTest, ACallerCanPassItsTraceAndTheHandlerGetsASpanOfItsOwn) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
    return Response::ok(ctx.trace().traceparent());
  }));
  InvokeOptions options;
  options.trace = &caller;
  auto seen = TraceContext::from_traceparent(engine.invoke("f", "", options)->payload.view());
  ASSERT_TRUE(seen);
  EXPECT_TRUE(same_trace(*seen, caller));
  EXPECT_NE(seen->span_id, caller.span_id);
  ASSERT_TRUE(spans.wait_for(1));
  auto invoked = spans.of(SpanKind::invoke, "f");
  ASSERT_EQ(invoked.size(), 1u);
  EXPECT_TRUE(same_trace(invoked[0].span.trace, caller));
  EXPECT_EQ(invoked[0].span.trace.span_id, caller.span_id);  // the parent
  EXPECT_EQ(invoked[0].span.span_id, seen->span_id);
  EXPECT_EQ(invoked[0].span.outcome, SpanOutcome::ok);
  EXPECT_TRUE(invoked[0].span.cold_start);
  EXPECT_LE(invoked[0].span.start_unix_nano, invoked[0].span.end_unix_nano);
  EXPECT_EQ(invoked[0].name, "f:$LATEST");
}

TEST(TracePropagationTest, ANestedCallIsAChildOfItsCallersSpan) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  Seen inner;
  Seen outer;
  ASSERT_TRUE(engine.add_function({.name = "inner"}, [&](const Event&, Context& ctx) {
    inner.add(ctx.trace());
    return Response{};
  }));
  ASSERT_TRUE(engine.add_function({.name = "outer"}, [&](const Event&, Context& ctx) {
    outer.add(ctx.trace());
    (void)ctx.invoke("inner", "");
    (void)engine.invoke("inner", "");  // the engine's own call, made inside the handler
    return Response{};
  }));
  ASSERT_TRUE(engine.invoke("outer", ""));
  ASSERT_EQ(inner.all().size(), 2u);
  const TraceContext parent = outer.all().at(0);
  for (const TraceContext& t : inner.all()) {
    EXPECT_TRUE(same_trace(t, parent));
    EXPECT_NE(t.span_id, parent.span_id);
  }
  ASSERT_TRUE(spans.wait_for(3));
  for (const KeptSpan& k : spans.of(SpanKind::invoke, "inner")) {
    EXPECT_EQ(k.span.trace.span_id, parent.span_id);
  }
}

TEST(TracePropagationTest, AnEventAndEachOfItsRetriesContinueTheCallersTrace) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  FunctionConfig config{.name = "flaky"};
  config.async.retry_delays = {0ns};
  std::latch ran(3);
  Seen seen;
  ASSERT_TRUE(engine.add_function(std::move(config), [&](const Event&, Context& ctx) {
    seen.add(ctx.trace());
    ran.count_down();
    return Response::error("Oops", "always");
  }));
  {
    TraceScope scope(caller);  // the host's thread continues the caller's trace
    ASSERT_TRUE(engine.invoke_async("flaky", PayloadView("{}")));
  }
  ran.wait();
  ASSERT_TRUE(spans.wait_for(3));
  auto attempts = spans.of(SpanKind::event_attempt, "flaky");
  ASSERT_EQ(attempts.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(same_trace(attempts[i].span.trace, caller));
    EXPECT_EQ(attempts[i].span.trace.span_id, caller.span_id);
    EXPECT_EQ(attempts[i].span.attempt, i + 1);
    EXPECT_EQ(attempts[i].span.outcome, SpanOutcome::function_error);
    EXPECT_EQ(attempts[i].detail, "Oops");
  }
  for (const TraceContext& t : seen.all()) EXPECT_TRUE(same_trace(t, caller));
}

TEST(TracePropagationTest, FailureDestinationsAndDeadLettersCarryTheTrace) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  auto dead_letters = make_queue({.name = "dlq"});
  std::latch audited(1);
  Seen audit;
  ASSERT_TRUE(engine.add_function({.name = "audit"}, [&](const Event&, Context& ctx) {
    audit.add(ctx.trace());
    audited.count_down();
    return Response{};
  }));
  std::latch letter_seen(1);
  TraceContext letter_trace;
  FunctionConfig config{.name = "fails"};
  config.async.maximum_retry_attempts = 0;
  config.async.on_failure.function = "audit";
  config.async.dead_letter_queue = dead_letters;
  config.async.dead_letter = [&](const DeadLetter& letter) {
    letter_trace = letter.trace;
    letter_seen.count_down();
  };
  ASSERT_TRUE(engine.add_function(std::move(config),
                                  [](const Event&) { return Response::error("Oops", "no"); }));
  {
    TraceScope scope(caller);
    ASSERT_TRUE(engine.invoke_async("fails", PayloadView("{}")));
  }
  audited.wait();
  letter_seen.wait();
  ASSERT_TRUE(spans.wait_for(3));
  auto delivered = spans.of(SpanKind::destination, "fails");
  ASSERT_EQ(delivered.size(), 1u);
  const Span& d = delivered[0].span;
  EXPECT_TRUE(same_trace(d.trace, caller));
  EXPECT_EQ(d.trace.span_id, spans.of(SpanKind::event_attempt, "fails").at(0).span.span_id);
  EXPECT_EQ(delivered[0].detail, "RetriesExhausted");
  EXPECT_EQ(d.outcome, SpanOutcome::ok);
  // The destination's event, the dead letter and the DLQ's message: children of the delivery.
  auto audit_runs = spans.of(SpanKind::event_attempt, "audit");
  ASSERT_EQ(audit_runs.size(), 1u);
  EXPECT_EQ(audit_runs[0].span.trace.span_id, d.span_id);
  EXPECT_TRUE(same_trace(audit.all().at(0), caller));
  EXPECT_EQ(letter_trace, d.context());
  auto in_dlq = traces_in(*dead_letters);
  ASSERT_EQ(in_dlq.size(), 1u);
  EXPECT_EQ(in_dlq[0], d.context());
}

TEST(TracePropagationTest, ASuccessDestinationQueueGetsTheTraceWithTheRecord) {
  auto engine = make_engine();
  auto records = make_queue({.name = "records"});
  FunctionConfig config{.name = "ok"};
  config.async.on_success.queue = records;
  std::latch sunk(1);
  TraceContext sink_trace;
  config.async.on_success.sink = [&](const InvocationRecord& r) {
    sink_trace = r.trace;
    sunk.count_down();
  };
  ASSERT_TRUE(engine.add_function(std::move(config), [](const Event&) { return Response{}; }));
  {
    TraceScope scope(caller);
    ASSERT_TRUE(engine.invoke_async("ok", PayloadView("{}")));
  }
  sunk.wait();
  EXPECT_TRUE(same_trace(sink_trace, caller));
  ASSERT_TRUE(eventually([&] { return records->approximate_visible() == 1; }));
  auto in_queue = traces_in(*records);
  ASSERT_EQ(in_queue.size(), 1u);
  EXPECT_EQ(in_queue[0], sink_trace);
}

TEST(TracePropagationTest, QueueMessagesCarryTheSendersTrace) {
  auto engine = make_engine();
  auto queue = make_queue({.name = "q"});
  ASSERT_TRUE(engine.add_function({.name = "sender"}, [&](const Event&, Context& ctx) {
    (void)queue->send(PayloadView("{}"));
    return Response::ok(ctx.trace().traceparent());
  }));
  auto sender = TraceContext::from_traceparent(engine.invoke("sender", "")->payload.view());
  ASSERT_TRUE(sender);
  ASSERT_TRUE(queue->send(PayloadView("{}")));  // outside any trace
  SendOptions options;
  options.trace = caller;  // named by the sender
  ASSERT_TRUE(queue->send(PayloadView("{}"), std::move(options)));
  auto traces = traces_in(*queue);
  ASSERT_EQ(traces.size(), 3u);
  EXPECT_EQ(traces[0], *sender);
  EXPECT_FALSE(traces[1].valid());
  EXPECT_EQ(traces[2], caller);
}

TEST(TracePropagationTest, StreamRecordsCarryTheSendersTrace) {
  auto stream = make_stream({.name = "s"});
  {
    TraceScope scope(caller);
    ASSERT_TRUE(stream->put_record("k", PayloadView("{}")));
  }
  ASSERT_TRUE(stream->put_record("k", PayloadView("{}")));
  auto reader = stream->open({.starting_position = StartingPosition::trim_horizon}).value();
  std::vector<Record> records;
  reader->poll(0, 10, records);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].trace, caller);
  EXPECT_FALSE(records[1].trace.valid());
  reader->checkpoint(0, records.back().sequence_number);
}

/// A mapping of `source` to a function that keeps the traces it runs under, and the spans.
void expect_mapping_continues_trace(const std::shared_ptr<Source>& source,
                                    const std::function<void()>& send) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  std::latch ran(1);
  Seen seen;
  ASSERT_TRUE(engine.add_function({.name = "consumer"}, [&](const Event&, Context& ctx) {
    seen.add(ctx.trace());
    ran.count_down();
    return Response{};
  }));
  EventSourceMappingConfig mapping{.source = source, .function_name = "consumer"};
  if (source->kind() == SourceKind::stream) {
    mapping.starting_position = StartingPosition::trim_horizon;
  }
  ASSERT_TRUE(engine.create_event_source_mapping(std::move(mapping)));
  send();
  ran.wait();
  const TraceContext t = seen.all().at(0);
  EXPECT_TRUE(same_trace(t, caller));
  ASSERT_TRUE(spans.wait_for(1));
  auto batches = spans.of(SpanKind::mapping_batch, "consumer");
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].span.trace.span_id, caller.span_id);
  EXPECT_EQ(batches[0].span.span_id, t.span_id);
}

TEST(TracePropagationTest, AQueueMappingContinuesTheFirstRecordsTrace) {
  auto queue = make_queue({.name = "q"});
  expect_mapping_continues_trace(queue, [&] {
    TraceScope scope(caller);
    ASSERT_TRUE(queue->send(PayloadView("{}")));
  });
}

TEST(TracePropagationTest, AStreamMappingContinuesTheFirstRecordsTrace) {
  auto stream = make_stream({.name = "s"});
  expect_mapping_continues_trace(stream, [&] {
    TraceScope scope(caller);
    ASSERT_TRUE(stream->put_record("k", PayloadView("{}")));
  });
}

TEST(TracePropagationTest, AStreamMappingsOnFailureRecordContinuesTheBatchsTrace) {
  auto engine = make_engine();
  auto stream = make_stream({.name = "s"});
  ASSERT_TRUE(engine.add_function({.name = "fails"},
                                  [](const Event&) { return Response::error("Oops", "no"); }));
  std::latch failed(1);
  TraceContext failure_trace;
  EventSourceMappingConfig mapping{.source = stream, .function_name = "fails"};
  mapping.starting_position = StartingPosition::trim_horizon;
  mapping.maximum_retry_attempts = 0;
  mapping.on_failure.sink = [&](const InvocationRecord& r) {
    failure_trace = r.trace;
    failed.count_down();
  };
  ASSERT_TRUE(engine.create_event_source_mapping(std::move(mapping)));
  {
    TraceScope scope(caller);
    ASSERT_TRUE(stream->put_record("k", PayloadView("{}")));
  }
  failed.wait();
  EXPECT_EQ(failure_trace, caller);
}

TEST(TracePropagationTest, UnsampledTracesPropagateWithoutSpans) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  ASSERT_TRUE(engine.add_function({.name = "f"}, [](const Event&, Context& ctx) {
    return Response::ok(ctx.trace().traceparent());
  }));
  TraceContext unsampled = caller;
  unsampled.sampled = false;
  InvokeOptions options;
  options.trace = &unsampled;
  auto seen = TraceContext::from_traceparent(engine.invoke("f", "", options)->payload.view());
  ASSERT_TRUE(seen);
  EXPECT_TRUE(same_trace(*seen, caller));
  EXPECT_FALSE(seen->sampled);
  ASSERT_TRUE(engine.invoke("f", ""));  // a new trace, sampled: its span comes
  ASSERT_TRUE(spans.wait_for(1));
  EXPECT_EQ(spans.size(), 1u);
  EXPECT_FALSE(same_trace(spans.of(SpanKind::invoke).at(0).span.trace, caller));
}

TEST(TracePropagationTest, OutcomesColdStartsAndThrottlesAreInTheSpans) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  ASSERT_TRUE(
      engine.add_function({.name = "slow", .timeout = 20ms}, [](const Event&, Context& ctx) {
        ctx.sleep_for(1s);  // cut short at the deadline
        return Response{};
      }));
  ASSERT_TRUE(engine.add_function({.name = "off", .reserved_concurrency = 0},
                                  [](const Event&) { return Response{}; }));
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  EXPECT_FALSE(engine.invoke("slow", "")->ok());
  EXPECT_FALSE(engine.invoke("off", ""));
  ASSERT_TRUE(engine.invoke("echo", ""));
  ASSERT_TRUE(engine.invoke("echo", ""));
  ASSERT_TRUE(spans.wait_for(4));
  EXPECT_EQ(spans.of(SpanKind::invoke, "slow").at(0).span.outcome, SpanOutcome::timeout);
  auto off = spans.of(SpanKind::invoke, "off");
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].span.outcome, SpanOutcome::throttled);
  EXPECT_EQ(off[0].detail, "ReservedFunctionConcurrentInvocationLimitExceeded");
  auto echoes = spans.of(SpanKind::invoke, "echo");
  ASSERT_EQ(echoes.size(), 2u);
  EXPECT_TRUE(echoes[0].span.cold_start);
  EXPECT_FALSE(echoes[1].span.cold_start);
}

struct BrokenInit {
  BrokenInit() { throw std::runtime_error("no config"); }
  Response operator()(const Event&) { return Response{}; }
};

TEST(TracePropagationTest, AFailedInitEndsItsCallsSpanAsAColdStartError) {
  SpanCollector spans;
  auto engine = make_engine({.span_exporter = spans.exporter()});
  ASSERT_TRUE(engine.add_function<BrokenInit>({.name = "broken"}));
  EXPECT_FALSE(engine.invoke("broken", "")->ok());
  ASSERT_TRUE(spans.wait_for(1));
  auto broken = spans.of(SpanKind::invoke, "broken");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_TRUE(broken[0].span.cold_start);
  EXPECT_EQ(broken[0].span.outcome, SpanOutcome::function_error);
  EXPECT_EQ(broken[0].detail, "Runtime.InitError");
}

TEST(TracePropagationTest, AThrowingExporterLosesOnlyTheSpan) {
  auto engine = make_engine({.span_exporter = [](const Span&) { throw std::runtime_error("x"); }});
  ASSERT_TRUE(engine.add_function({.name = "echo"}, echo));
  auto r = engine.invoke("echo", "hi");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload.view(), "hi");
}

}  // namespace
