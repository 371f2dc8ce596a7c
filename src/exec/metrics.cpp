#include "nanofaas/metrics.hpp"

#include <vector>

namespace nanofaas {

namespace {
// Versions first: an alias's name is never a version's.
template <class Snapshot>
auto* entry(Snapshot& snapshot, std::string_view function_name,
            std::string_view qualifier) noexcept {
  for (auto* list : {&snapshot.functions, &snapshot.aliases}) {
    for (auto& f : *list) {
      if (f.function_name == function_name && f.version == qualifier) return &f;
    }
  }
  return static_cast<decltype(&snapshot.functions.front())>(nullptr);
}
}  // namespace

const FunctionMetrics* MetricsSnapshot::find(std::string_view function_name,
                                             std::string_view qualifier) const& noexcept {
  return entry(*this, function_name, qualifier);
}

std::optional<FunctionMetrics> MetricsSnapshot::find(std::string_view function_name,
                                                     std::string_view qualifier) && {
  if (FunctionMetrics* f = entry(*this, function_name, qualifier)) return std::move(*f);
  return std::nullopt;
}

}  // namespace nanofaas
