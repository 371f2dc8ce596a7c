#include "nanofaas/prometheus.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "nanofaas/engine.hpp"
#include "test_support.hpp"

namespace {

using namespace nanofaas;
using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The value of the sample line that starts with `series` followed by a space, or -1.
double value_of(const std::string& text, const std::string& series) {
  for (const auto& line : lines_of(text)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

std::string labels(const std::string& name) {
  return "{function_name=\"" + name + "\",resource=\"" + name + ":$LATEST\"}";
}

TEST(PrometheusTextTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(prometheus_label_value("plain-name_1"), "plain-name_1");
  EXPECT_EQ(prometheus_label_value("a\\b"), "a\\\\b");
  EXPECT_EQ(prometheus_label_value("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(prometheus_label_value("two\nlines"), "two\\nlines");
  EXPECT_EQ(prometheus_label_value(""), "");

  MetricsSnapshot snapshot;
  snapshot.functions.push_back({.function_name = "f", .version = "v\"1\\\n", .invocations = 2});
  const std::string text = prometheus_text(snapshot);
  EXPECT_NE(
      text.find("nanofaas_invocations_total{function_name=\"f\",resource=\"f:v\\\"1\\\\\\n\"} 2\n"),
      std::string::npos)
      << text;
}

// Every family has one HELP and one TYPE, before its samples, and every sample belongs to a
// family (a histogram's through its _bucket, _sum and _count).
TEST(PrometheusTextTest, EachFamilyIsDeclaredOnceBeforeItsSamples) {
  MetricsSnapshot snapshot;
  snapshot.functions.push_back({.function_name = "a", .version = "$LATEST"});
  snapshot.functions.push_back({.function_name = "b",
                                .version = "1",
                                .provisioned_concurrent_executions = 1,
                                .provisioned_concurrency = 4});
  MappingMetrics mapping{.uuid = "u-1", .function_name = "b:1"};
  mapping.metrics.records_polled = 9;
  mapping.metrics.iterator_age.record(2s);
  snapshot.mappings.push_back(mapping);
  const std::string text = prometheus_text(snapshot);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::map<std::string, int> helps;
  std::map<std::string, std::string> types;
  for (const auto& line : lines_of(text)) {
    std::istringstream words(line);
    std::string first, second, third;
    words >> first >> second >> third;
    if (first == "#") {
      if (second == "HELP") ++helps[third];
      if (second == "TYPE") {
        EXPECT_FALSE(types.contains(third)) << "TYPE twice: " << third;
        EXPECT_EQ(helps[third], 1) << "TYPE before HELP: " << third;
        std::string type;
        words >> type;
        types[third] = type;
      }
      continue;
    }
    const std::string name = first.substr(0, first.find('{'));
    if (types.contains(name)) continue;
    bool in_histogram = false;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (name.ends_with(s) && types[name.substr(0, name.size() - s.size())] == "histogram") {
        in_histogram = true;
      }
    }
    EXPECT_TRUE(in_histogram) << "a sample of no declared family: " << line;
  }
  for (const auto& [name, count] : helps) EXPECT_EQ(count, 1) << name;
  for (const char* family :
       {"nanofaas_invocations_total", "nanofaas_errors_total", "nanofaas_throttles_total",
        "nanofaas_concurrent_executions", "nanofaas_async_events_received_total",
        "nanofaas_async_events_dropped_total", "nanofaas_dead_letter_errors_total",
        "nanofaas_destination_delivery_failures_total",
        "nanofaas_recursive_invocations_dropped_total", "nanofaas_provisioned_environments",
        "nanofaas_provisioned_concurrency_spillover_invocations_total",
        "nanofaas_unreserved_concurrent_executions", "nanofaas_provisioned_concurrent_executions",
        "nanofaas_provisioned_concurrency_utilization", "nanofaas_mapping_records_polled_total",
        "nanofaas_mapping_records_filtered_total", "nanofaas_mapping_records_failed_total"}) {
    EXPECT_TRUE(types.contains(family)) << family;
  }
  for (const char* family :
       {"nanofaas_duration_seconds", "nanofaas_init_duration_seconds",
        "nanofaas_async_event_age_seconds", "nanofaas_mapping_iterator_age_seconds"}) {
    EXPECT_EQ(types[family], "histogram") << family;
  }
  EXPECT_EQ(types["nanofaas_invocations_total"], "counter");
  EXPECT_EQ(types["nanofaas_concurrent_executions"], "gauge");
  EXPECT_EQ(value_of(text, "nanofaas_invocations_total{function_name=\"b\",resource=\"b:1\"}"), 0);
  EXPECT_EQ(value_of(text,
                     "nanofaas_provisioned_concurrency_utilization{function_name=\"b\","
                     "resource=\"b:1\"}"),
            0.25);
  const std::string mapping_labels = "{uuid=\"u-1\",function_name=\"b:1\"}";
  EXPECT_EQ(value_of(text, "nanofaas_mapping_records_polled_total" + mapping_labels), 9);
  EXPECT_EQ(value_of(text, "nanofaas_mapping_iterator_age_seconds_count" + mapping_labels), 1);
  EXPECT_EQ(value_of(text, "nanofaas_mapping_iterator_age_seconds_sum" + mapping_labels), 2);
}

// Buckets are cumulative, in increasing `le`, and end with +Inf equal to _count; _sum is the
// samples' sum in seconds.
TEST(PrometheusTextTest, HistogramBucketsAreCumulativeAndEndWithCount) {
  MetricsSnapshot snapshot;
  FunctionMetrics f{.function_name = "h", .version = "$LATEST"};
  const std::chrono::nanoseconds samples[] = {500ns, 3us, 3us, 40ms, 2s, 30s};
  for (const auto d : samples) f.duration.record(d);
  snapshot.functions.push_back(f);
  const std::string text = prometheus_text(snapshot);
  const std::string prefix =
      "nanofaas_duration_seconds_bucket{function_name=\"h\",resource=\"h:$LATEST\",le=\"";
  std::vector<std::pair<std::string, double>> buckets;
  for (const auto& line : lines_of(text)) {
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    const auto quote = line.find('"', prefix.size());
    buckets.emplace_back(line.substr(prefix.size(), quote - prefix.size()),
                         std::stod(line.substr(line.rfind(' ') + 1)));
  }
  ASSERT_GE(buckets.size(), 10u);
  ASSERT_LE(buckets.size(), 30u);
  EXPECT_EQ(buckets.back().first, "+Inf");
  EXPECT_EQ(buckets.back().second, 6);
  EXPECT_EQ(buckets.front().first, "1e-06");
  EXPECT_EQ(buckets.front().second, 1);  // the 500 ns
  for (std::size_t i = 1; i + 1 < buckets.size(); ++i) {
    EXPECT_LT(std::stod(buckets[i - 1].first), std::stod(buckets[i].first));
    EXPECT_LE(buckets[i - 1].second, buckets[i].second);
  }
  EXPECT_EQ(buckets[buckets.size() - 2].second, 5);  // 30 s is beyond the last bound, 10 s
  EXPECT_EQ(value_of(text, "nanofaas_duration_seconds_count" + labels("h")), 6);
  EXPECT_NEAR(value_of(text, "nanofaas_duration_seconds_sum" + labels("h")), 32.0400065, 1e-9);
  EXPECT_EQ(value_of(text, "nanofaas_init_duration_seconds_count" + labels("h")), 0);
}

// The counters of a running engine move with its invocations.
TEST(PrometheusTextTest, CountersFollowTheEngine) {
  auto engine = test::make_engine();
  ASSERT_TRUE(engine.add_function({.name = "echo"}, test::echo));
  ASSERT_TRUE(engine.add_function({.name = "fail"},
                                  [](const Event&) { return Response::error("Nope", "refused"); }));
  ASSERT_TRUE(engine.add_function({.name = "shut", .reserved_concurrency = 0}, test::echo));
  const std::string before = prometheus_text(engine.metrics());
  EXPECT_EQ(value_of(before, "nanofaas_invocations_total" + labels("echo")), 0);
  for (int i = 0; i < 3; ++i) (void)engine.invoke("echo", "{}");
  (void)engine.invoke("fail", "{}");
  (void)engine.invoke("shut", "{}");
  const std::string after = prometheus_text(engine.metrics());
  EXPECT_EQ(value_of(after, "nanofaas_invocations_total" + labels("echo")), 3);
  EXPECT_EQ(value_of(after, "nanofaas_duration_seconds_count" + labels("echo")), 3);
  EXPECT_EQ(value_of(after,
                     "nanofaas_duration_seconds_bucket{function_name=\"echo\",resource=\"echo:$"
                     "LATEST\",le=\"+Inf\"}"),
            3);
  const double cold_starts = value_of(after, "nanofaas_cold_starts_total" + labels("echo"));
  EXPECT_GE(cold_starts, 1);
  EXPECT_EQ(value_of(after, "nanofaas_init_duration_seconds_count" + labels("echo")), cold_starts);
  EXPECT_EQ(value_of(after, "nanofaas_errors_total" + labels("echo")), 0);
  EXPECT_EQ(value_of(after, "nanofaas_errors_total" + labels("fail")), 1);
  EXPECT_EQ(value_of(after, "nanofaas_throttles_total" + labels("shut")), 1);
  EXPECT_EQ(value_of(after, "nanofaas_engine_concurrent_executions"), 0);
}

// An alias's series (Lambda's Resource name:alias) carry an `alias` label, and only the families
// an alias counts.
TEST(PrometheusTextTest, AnAliasHasItsOwnLabelledSeries) {
  MetricsSnapshot snapshot;
  snapshot.functions.push_back({.function_name = "f", .version = "1", .invocations = 5});
  snapshot.aliases.push_back({.function_name = "f", .version = "live", .invocations = 3});
  const std::string text = prometheus_text(snapshot);
  const std::string alias = "{function_name=\"f\",resource=\"f:live\",alias=\"live\"}";
  EXPECT_EQ(value_of(text, "nanofaas_invocations_total" + alias), 3) << text;
  EXPECT_EQ(value_of(text, "nanofaas_invocations_total{function_name=\"f\",resource=\"f:1\"}"), 5);
  EXPECT_EQ(value_of(text, "nanofaas_throttles_total" + alias), 0);
  EXPECT_EQ(value_of(text, "nanofaas_duration_seconds_count" + alias), 0);
  EXPECT_EQ(value_of(text, "nanofaas_cold_starts_total" + alias), -1);  // not an alias's
  EXPECT_EQ(value_of(text, "nanofaas_concurrent_executions" + alias), -1);
}

}  // namespace
