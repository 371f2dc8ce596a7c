#pragma once

// What the trace tests share: an exporter that keeps the spans it gets, waited on with a
// condition variable (never a sleep).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "nanofaas/span.hpp"

namespace nanofaas::test {

/// A span as the collector keeps it: its names owned.
struct KeptSpan {
  Span span;  // its views cleared
  std::string function;
  std::string name;
  std::string detail;
};

/// Collects exported spans. Outlives the engine whose `span_exporter` it is.
class SpanCollector {
 public:
  /// The exporter to put in `EngineConfig::span_exporter`.
  SpanExporter exporter() {
    return [this](const Span& span) {
      std::lock_guard lock(mutex_);
      spans_.push_back(
          KeptSpan{span, std::string(span.function_name), span.name(), std::string(span.detail)});
      spans_.back().span.function_name = {};
      spans_.back().span.function_version = {};
      spans_.back().span.detail = {};
      changed_.notify_all();
    };
  }
  /// Waits until `n` spans came; false after 20 s.
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return spans_.size() >= n; });
  }
  /// The spans so far, of `kind` (of `function`, when not empty).
  std::vector<KeptSpan> of(SpanKind kind, const std::string& function = {}) {
    std::lock_guard lock(mutex_);
    std::vector<KeptSpan> out;
    for (const KeptSpan& k : spans_) {
      if (k.span.kind == kind && (function.empty() || k.function == function)) out.push_back(k);
    }
    return out;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return spans_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<KeptSpan> spans_;
};

}  // namespace nanofaas::test
