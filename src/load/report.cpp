// LoadReport's text forms: CSV and JSON share one column list, so they cannot disagree.

#include <array>
#include <cstdio>
#include <string>

#include "nanofaas/load_generator.hpp"

namespace nanofaas {

namespace {

constexpr std::array<std::string_view, 15> column_names{
    "sent",        "completed",    "function_errors", "engine_errors", "refused",
    "warmup_sent", "offered_rate", "achieved_rate",   "throughput",    "elapsed_ns",
    "p50_ns",      "p90_ns",       "p99_ns",          "p999_ns",       "max_ns"};

constexpr std::string_view header =
    "sent,completed,function_errors,engine_errors,refused,warmup_sent,offered_rate,"
    "achieved_rate,throughput,elapsed_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns";

std::string integer(std::uint64_t v) {
  return std::to_string(v);
}
std::string integer(std::chrono::nanoseconds v) {
  return std::to_string(v.count());
}

std::string real(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::array<std::string, column_names.size()> column_values(const LoadReport& r) {
  const DurationHistogram& h = r.latency;
  return {integer(r.sent),
          integer(r.completed),
          integer(r.function_errors),
          integer(r.engine_errors),
          integer(r.refused),
          integer(r.warmup_sent),
          real(r.offered_rate),
          real(r.achieved_rate),
          real(r.throughput),
          integer(r.elapsed),
          integer(h.percentile(0.50)),
          integer(h.percentile(0.90)),
          integer(h.percentile(0.99)),
          integer(h.percentile(0.999)),
          integer(h.percentile(1.0))};
}

// A duration with a unit a person reads at a glance: "850 ns", "12.3 us", "4.56 ms", "2.00 s".
std::string human(std::chrono::nanoseconds d) {
  const auto ns = static_cast<double>(d.count());
  char buf[32];
  if (ns < 1e3) {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  } else if (ns < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
  } else if (ns < 1e9) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  }
  return buf;
}

}  // namespace

std::string_view LoadReport::csv_header() noexcept {
  return header;
}

std::string LoadReport::csv_row() const {
  std::string row;
  for (const auto& value : column_values(*this)) {
    if (!row.empty()) row += ',';
    row += value;
  }
  return row;
}

std::string LoadReport::to_csv() const {
  std::string out(header);
  out += '\n';
  out += csv_row();
  out += '\n';
  return out;
}

std::string LoadReport::to_json() const {
  const auto values = column_values(*this);
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += column_names[i];  // plain identifiers: nothing to escape
    out += "\":";
    out += values[i];
  }
  out += '}';
  return out;
}

std::string LoadReport::to_text() const {
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "sent       %llu measured (+%llu warm-up), %llu refused sends\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(warmup_sent),
                static_cast<unsigned long long>(refused));
  out += buf;
  std::snprintf(
      buf, sizeof buf, "completed  %llu: %llu ok, %llu function errors, %llu engine errors\n",
      static_cast<unsigned long long>(completed), static_cast<unsigned long long>(succeeded()),
      static_cast<unsigned long long>(function_errors),
      static_cast<unsigned long long>(engine_errors));
  out += buf;
  if (offered_rate > 0) {
    std::snprintf(buf, sizeof buf,
                  "rate       offered %.0f/s, sent %.0f/s, completed %.0f/s over %s\n",
                  offered_rate, achieved_rate, throughput, human(elapsed).c_str());
  } else {
    std::snprintf(buf, sizeof buf,
                  "rate       closed loop: sent %.0f/s, completed %.0f/s over %s\n", achieved_rate,
                  throughput, human(elapsed).c_str());
  }
  out += buf;
  out += "latency    p50 ";
  out += human(latency.percentile(0.50));
  out += ", p90 ";
  out += human(latency.percentile(0.90));
  out += ", p99 ";
  out += human(latency.percentile(0.99));
  out += ", p99.9 ";
  out += human(latency.percentile(0.999));
  out += ", max ";
  out += human(latency.percentile(1.0));
  out += " (from each event's scheduled send)\n";
  return out;
}

}  // namespace nanofaas
