#include "nanofaas/prometheus.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nanofaas {

namespace {

using std::chrono::nanoseconds;

// The histograms' `le` bounds: 1 us to 10 s in 1-2.5-5 steps (a scrape stays small while
// covering a handler's microseconds and a cold start's seconds).
constexpr std::array<std::int64_t, 22> bucket_bounds_ns{
    1'000,        2'500,        5'000,        10'000,        25'000,      50'000,
    100'000,      250'000,      500'000,      1'000'000,     2'500'000,   5'000'000,
    10'000'000,   25'000'000,   50'000'000,   100'000'000,   250'000'000, 500'000'000,
    1000'000'000, 2500'000'000, 5000'000'000, 10'000'000'000};

using Counter = std::uint64_t (*)(const FunctionMetrics&);

struct Family {
  std::string_view name;
  std::string_view help;
  Counter value;
  bool per_alias = false;  // aliases count it too (`MetricsSnapshot::aliases`)
};

// Per-version counters (TYPE counter), Lambda's metric names in Prometheus' style.
constexpr std::array counters{
    Family{"nanofaas_invocations_total", "Invocations: calls that reached the function.",
           [](const FunctionMetrics& f) { return f.invocations; }, true},
    Family{"nanofaas_errors_total", "Errors: function errors, handled and unhandled.",
           [](const FunctionMetrics& f) { return f.errors; }, true},
    Family{"nanofaas_throttles_total", "Throttles: calls refused for want of concurrency.",
           [](const FunctionMetrics& f) { return f.throttles; }, true},
    Family{"nanofaas_timeouts_total", "Invocations that hit their deadline.",
           [](const FunctionMetrics& f) { return f.timeouts; }, true},
    Family{"nanofaas_cold_starts_total", "Environments created (the init phase ran).",
           [](const FunctionMetrics& f) { return f.cold_starts; }},
    Family{"nanofaas_init_errors_total", "Init phases that failed.",
           [](const FunctionMetrics& f) { return f.init_errors; }},
    Family{"nanofaas_provisioned_concurrency_spillover_invocations_total",
           "ProvisionedConcurrencySpilloverInvocations: ran on demand despite provisioning.",
           [](const FunctionMetrics& f) { return f.provisioned_spillover_invocations; }},
    Family{"nanofaas_async_events_received_total", "AsyncEventsReceived: events accepted.",
           [](const FunctionMetrics& f) { return f.async_events_received; }, true},
    Family{"nanofaas_async_events_succeeded_total", "Async events whose invocation succeeded.",
           [](const FunctionMetrics& f) { return f.async_events_succeeded; }},
    Family{"nanofaas_async_events_failed_total", "Async events sent to failure handling.",
           [](const FunctionMetrics& f) { return f.async_events_failed; }},
    Family{"nanofaas_async_events_dropped_total",
           "AsyncEventsDropped: events that ended without a successful run.",
           [](const FunctionMetrics& f) { return f.async_events_dropped; }},
    Family{"nanofaas_async_events_discarded_total", "Dropped async events that had no target.",
           [](const FunctionMetrics& f) { return f.async_events_discarded; }},
    Family{"nanofaas_async_events_spilled_total", "Async events handed over at shutdown.",
           [](const FunctionMetrics& f) { return f.async_events_spilled; }},
    Family{"nanofaas_async_events_handed_back_total",
           "Async events a durable queue took back (retries, shutdown).",
           [](const FunctionMetrics& f) { return f.async_events_handed_back; }},
    Family{"nanofaas_async_retries_total", "Async retries after function errors.",
           [](const FunctionMetrics& f) { return f.async_retries; }},
    Family{"nanofaas_async_throttles_total", "Async dispatches throttled and queued again.",
           [](const FunctionMetrics& f) { return f.async_throttled; }},
    Family{"nanofaas_destination_delivery_failures_total",
           "DestinationDeliveryFailures: destinations that refused a record.",
           [](const FunctionMetrics& f) { return f.destination_delivery_failures; }},
    Family{"nanofaas_dead_letter_errors_total",
           "DeadLetterErrors: dead-letter targets that refused an event.",
           [](const FunctionMetrics& f) { return f.dead_letter_errors; }},
    Family{"nanofaas_recursive_invocations_dropped_total",
           "RecursiveInvocationsDropped: events stopped as a recursive loop.",
           [](const FunctionMetrics& f) { return f.recursive_invocations_dropped; }},
};

// Per-version figures of now (TYPE gauge).
constexpr std::array gauges{
    Family{"nanofaas_concurrent_executions", "ConcurrentExecutions: invocations running now.",
           [](const FunctionMetrics& f) -> std::uint64_t { return f.concurrent_executions; }},
    Family{"nanofaas_provisioned_concurrent_executions",
           "ProvisionedConcurrentExecutions: invocations running on provisioned concurrency.",
           [](const FunctionMetrics& f) -> std::uint64_t {
             return f.provisioned_concurrent_executions;
           }},
    Family{"nanofaas_provisioned_concurrency", "Provisioned concurrency configured.",
           [](const FunctionMetrics& f) -> std::uint64_t { return f.provisioned_concurrency; }},
    Family{"nanofaas_environments", "Live execution environments, busy and idle.",
           [](const FunctionMetrics& f) -> std::uint64_t { return f.environments; }},
    Family{"nanofaas_idle_environments", "Execution environments waiting for an invocation.",
           [](const FunctionMetrics& f) -> std::uint64_t { return f.idle_environments; }},
    Family{"nanofaas_provisioned_environments",
           "Initialised environments of provisioned concurrency.",
           [](const FunctionMetrics& f) -> std::uint64_t { return f.provisioned_environments; }},
    Family{"nanofaas_async_events_pending",
           "Async events accepted and not finished (queued, delayed or running).",
           [](const FunctionMetrics& f) { return f.async_pending; }},
};

struct HistogramFamily {
  std::string_view name;
  std::string_view help;
  const DurationHistogram FunctionMetrics::*histogram;
  bool per_alias = false;
};

constexpr std::array histograms{
    HistogramFamily{"nanofaas_duration_seconds", "Duration: time in the handler.",
                    &FunctionMetrics::duration, true},
    HistogramFamily{"nanofaas_init_duration_seconds",
                    "Init Duration: the init phase of a cold start.",
                    &FunctionMetrics::init_duration},
    HistogramFamily{"nanofaas_async_event_age_seconds",
                    "AsyncEventAge: from an event's acceptance to its first run.",
                    &FunctionMetrics::async_event_age},
};

// Why async events were dropped, a family of its own so that summing it never counts twice.
struct DropReason {
  std::string_view reason;
  std::uint64_t AsyncDropReasons::*count;
};
constexpr std::array drop_reasons{
    DropReason{"retries_exhausted", &AsyncDropReasons::retries_exhausted},
    DropReason{"event_age_exceeded", &AsyncDropReasons::event_age_exceeded},
    DropReason{"throttled", &AsyncDropReasons::throttled},
    DropReason{"recursive_loop", &AsyncDropReasons::recursive_loop},
    DropReason{"shutdown", &AsyncDropReasons::shutdown},
};

void header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void number(std::string& out, std::uint64_t value) {
  std::array<char, 24> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
  out.append(text.data(), end);
}

// Shortest round-trip form ("1e-06", "0.25"), which Prometheus parses.
void number(std::string& out, double value) {
  std::array<char, 32> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
  out.append(text.data(), end);
}

// `{function_name="f",resource="f:1"` without the closing brace, for a further label; an
// alias's series also has `alias="live"`, so that sums over `{alias=""}` count each call once.
std::string labels_of(const FunctionMetrics& f, bool alias) {
  std::string labels = "{function_name=\"" + prometheus_label_value(f.function_name) +
                       "\",resource=\"" + prometheus_label_value(f.function_name) + ":" +
                       prometheus_label_value(f.version) + "\"";
  if (alias) labels.append(",alias=\"").append(prometheus_label_value(f.version)).append("\"");
  return labels;
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  out.append(name).append(labels).append(labels.empty() ? " " : "} ");
  number(out, value);
  out.push_back('\n');
}

// One labelled histogram: cumulative `le` buckets, `_sum` and `_count`, in seconds.
void histogram(std::string& out, std::string_view name, const DurationHistogram& h,
               const std::string& labels) {
  const std::string bucket = std::string(name) + "_bucket" + labels + ",le=\"";
  for (const std::int64_t bound : bucket_bounds_ns) {
    out.append(bucket);
    number(out, static_cast<double>(bound) / 1e9);
    out.append("\"} ");
    number(out, h.count_at_most(nanoseconds(bound)));
    out.push_back('\n');
  }
  const std::uint64_t count = h.count();
  out.append(bucket).append("+Inf\"} ");
  number(out, count);
  out.push_back('\n');
  out.append(name).append("_sum").append(labels).append("} ");
  number(out, std::chrono::duration<double>(h.sum()).count());
  out.push_back('\n');
  sample(out, std::string(name) + "_count", labels, count);
}

struct MappingFamily {
  std::string_view name;
  std::string_view help;
  std::uint64_t EventSourceMappingMetrics::*count;
};

// Per event source mapping, labelled `uuid` and `function_name`.
constexpr std::array mapping_counters{
    MappingFamily{"nanofaas_mapping_records_polled_total", "Records read from the source.",
                  &EventSourceMappingMetrics::records_polled},
    MappingFamily{"nanofaas_mapping_records_filtered_total", "Records dropped by the filter.",
                  &EventSourceMappingMetrics::records_filtered},
    MappingFamily{"nanofaas_mapping_records_succeeded_total",
                  "Records in batches that succeeded for them.",
                  &EventSourceMappingMetrics::records_succeeded},
    MappingFamily{"nanofaas_mapping_records_failed_total",
                  "Records skipped after the retry or age limit.",
                  &EventSourceMappingMetrics::records_failed},
    MappingFamily{"nanofaas_mapping_batches_total", "Batches the function was invoked with.",
                  &EventSourceMappingMetrics::batches},
    MappingFamily{"nanofaas_mapping_batches_failed_total",
                  "Batches that failed, wholly or in part.",
                  &EventSourceMappingMetrics::batches_failed},
    MappingFamily{"nanofaas_mapping_batches_throttled_total",
                  "Batches refused for want of concurrency and retried.",
                  &EventSourceMappingMetrics::batches_throttled},
    MappingFamily{"nanofaas_mapping_destination_delivery_failures_total",
                  "On-failure deliveries that failed.",
                  &EventSourceMappingMetrics::destination_delivery_failures},
};

void mapping_families(std::string& out, const std::vector<MappingMetrics>& mappings) {
  std::vector<std::string> labels;
  for (const auto& m : mappings) {
    labels.push_back("{uuid=\"" + prometheus_label_value(m.uuid) + "\",function_name=\"" +
                     prometheus_label_value(m.function_name) + "\"");
  }
  for (const auto& family : mapping_counters) {
    header(out, family.name, family.help, "counter");
    for (std::size_t i = 0; i < labels.size(); ++i) {
      sample(out, family.name, labels[i], mappings[i].metrics.*family.count);
    }
  }
  constexpr std::string_view age = "nanofaas_mapping_iterator_age_seconds";
  header(out, age, "IteratorAge: the age of a batch's last record when the function got it.",
         "histogram");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    histogram(out, age, mappings[i].metrics.iterator_age, labels[i]);
  }
}

}  // namespace

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string prometheus_text(const MetricsSnapshot& snapshot) {
  std::string out;
  out.reserve(4096 + snapshot.functions.size() * 8192 + snapshot.aliases.size() * 3072);
  std::vector<std::string> labels;
  labels.reserve(snapshot.functions.size());
  for (const auto& f : snapshot.functions) labels.push_back(labels_of(f, false));
  std::vector<std::string> alias_labels;
  alias_labels.reserve(snapshot.aliases.size());
  for (const auto& f : snapshot.aliases) alias_labels.push_back(labels_of(f, true));

  header(out, "nanofaas_engine_concurrent_executions", "ConcurrentExecutions of the whole engine.",
         "gauge");
  sample(out, "nanofaas_engine_concurrent_executions", "", snapshot.concurrent_executions);
  header(out, "nanofaas_unreserved_concurrent_executions",
         "UnreservedConcurrentExecutions: running without reserved concurrency.", "gauge");
  sample(out, "nanofaas_unreserved_concurrent_executions", "",
         snapshot.unreserved_concurrent_executions);
  header(out, "nanofaas_unreserved_concurrency_available",
         "The concurrency limit less every reservation.", "gauge");
  sample(out, "nanofaas_unreserved_concurrency_available", "",
         snapshot.unreserved_concurrency_available);

  const auto per_function = [&](const auto& families, std::string_view type) {
    for (const auto& family : families) {
      header(out, family.name, family.help, type);
      for (std::size_t i = 0; i < labels.size(); ++i) {
        sample(out, family.name, labels[i], family.value(snapshot.functions[i]));
      }
      if (!family.per_alias) continue;
      for (std::size_t i = 0; i < alias_labels.size(); ++i) {
        sample(out, family.name, alias_labels[i], family.value(snapshot.aliases[i]));
      }
    }
  };
  per_function(counters, "counter");
  per_function(gauges, "gauge");

  constexpr std::string_view by_reason = "nanofaas_async_events_dropped_by_reason_total";
  header(out, by_reason, "AsyncEventsDropped by why the events ended.", "counter");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (const auto& reason : drop_reasons) {
      const std::string with_reason = labels[i] + ",reason=\"" + std::string(reason.reason) + "\"";
      sample(out, by_reason, with_reason,
             snapshot.functions[i].async_events_dropped_by.*reason.count);
    }
  }

  for (const auto& family : histograms) {
    header(out, family.name, family.help, "histogram");
    for (std::size_t i = 0; i < labels.size(); ++i) {
      histogram(out, family.name, snapshot.functions[i].*family.histogram, labels[i]);
    }
    if (!family.per_alias) continue;
    for (std::size_t i = 0; i < alias_labels.size(); ++i) {
      histogram(out, family.name, snapshot.aliases[i].*family.histogram, alias_labels[i]);
    }
  }
  constexpr std::string_view utilization = "nanofaas_provisioned_concurrency_utilization";
  header(out, utilization,
         "ProvisionedConcurrencyUtilization: provisioned executions over provisioned concurrency.",
         "gauge");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out.append(utilization).append(labels[i]).append("} ");
    number(out, snapshot.functions[i].provisioned_concurrency_utilization());
    out.push_back('\n');
  }
  mapping_families(out, snapshot.mappings);
  return out;
}

}  // namespace nanofaas
