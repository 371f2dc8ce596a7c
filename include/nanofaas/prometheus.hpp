#pragma once

#include <string>
#include <string_view>

#include "nanofaas/export.hpp"
#include "nanofaas/metrics.hpp"

namespace nanofaas {

/// The snapshot in Prometheus' text exposition format 0.0.4, for a `/metrics` scrape: Lambda's
/// metrics as `nanofaas_*` families, each version's labelled `function_name` and `resource`
/// ("name:version", as Lambda's Resource dimension), durations as histograms in seconds.
[[nodiscard]] NANOFAAS_API std::string prometheus_text(const MetricsSnapshot& snapshot);

/// A label value escaped for the text format: backslash, double quote and newline.
[[nodiscard]] NANOFAAS_API std::string prometheus_label_value(std::string_view value);

}  // namespace nanofaas
