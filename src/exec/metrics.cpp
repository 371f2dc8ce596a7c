#include "nanofaas/metrics.hpp"

namespace nanofaas {

const FunctionMetrics* MetricsSnapshot::find(std::string_view function_name,
                                             std::string_view version) const& noexcept {
  for (const auto& f : functions) {
    if (f.function_name == function_name && f.version == version) return &f;
  }
  return nullptr;
}

std::optional<FunctionMetrics> MetricsSnapshot::find(std::string_view function_name,
                                                     std::string_view version) && {
  for (auto& f : functions) {
    if (f.function_name == function_name && f.version == version) return std::move(f);
  }
  return std::nullopt;
}

}  // namespace nanofaas
