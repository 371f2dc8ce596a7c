#include "exec/invocation_log.hpp"

#include <utility>

#include "exec/log_writer.hpp"
#include "nanofaas/invoke_result.hpp"

namespace nanofaas::detail::invocation_log {
namespace {

LogEntry make(const EnvironmentSpec& spec, LogKind kind, RequestId id) noexcept {
  LogEntry e;
  e.kind = kind;
  e.format = spec.log_format;
  e.function_name = spec.function_name;
  e.version = spec.name;
  e.request_id = id;
  e.time_ns = log_time_now();
  return e;
}

// Appends the line to the tail, which keeps the last `max_log_tail` bytes.
void add_to_tail(std::string& tail, const LogEntry& entry) {
  format_log_line(entry, tail);
  tail.push_back('\n');
  if (tail.size() > InvokeOptions::max_log_tail) {
    tail.erase(0, tail.size() - InvokeOptions::max_log_tail);
  }
}

void emit(const EnvironmentSpec& spec, Invocation* invocation, LogEntry&& entry) noexcept {
  try {
    if (invocation != nullptr && invocation->tail_log) add_to_tail(invocation->out.log_tail, entry);
  } catch (...) {
    // No memory for the tail: the caller gets what it holds.
  }
  if (LogWriter* writer = spec.host->log_writer()) writer->push(std::move(entry));
}

}  // namespace

void init_start(const EnvironmentSpec& spec, bool provisioned) noexcept {
  if (!spec.log_start || spec.host->log_writer() == nullptr) return;
  LogEntry e = make(spec, LogKind::init_start, RequestId{});
  e.provisioned = provisioned;
  emit(spec, nullptr, std::move(e));
}

void init_report(const EnvironmentSpec& spec, bool provisioned, std::chrono::nanoseconds duration,
                 std::string_view error_type) noexcept {
  if (!spec.log_report || spec.host->log_writer() == nullptr) return;
  if (error_type.empty() && spec.log_format == LogFormat::text) return;
  LogEntry e = make(spec, LogKind::init_report, RequestId{});
  e.provisioned = provisioned;
  e.init_duration_ns = duration.count();
  try {
    e.text.assign(error_type);
  } catch (...) {
    return;  // no memory for a copy: the record is lost
  }
  emit(spec, nullptr, std::move(e));
}

void start(const EnvironmentSpec& spec, Invocation& invocation) noexcept {
  if (!spec.log_start) return;
  emit(spec, &invocation, make(spec, LogKind::start, invocation.out.request_id));
}

void function_line(const EnvironmentSpec& spec, Invocation* invocation, LogLevel level,
                   std::string_view message) noexcept {
  if (level < spec.min_function_level) return;
  if (spec.host->log_writer() == nullptr && (invocation == nullptr || !invocation->tail_log)) {
    return;
  }
  LogEntry e = make(spec, LogKind::function,
                    invocation != nullptr ? invocation->out.request_id : RequestId{});
  e.level = level;
  try {
    e.text.assign(message);
  } catch (...) {
    return;  // no memory for a copy: the line is lost, the handler goes on
  }
  emit(spec, invocation, std::move(e));
}

void end(const EnvironmentSpec& spec, Invocation& invocation, LogStatus status,
         std::chrono::nanoseconds duration) noexcept {
  const InvokeOutput& out = invocation.out;
  if (spec.log_end) {
    LogEntry e = make(spec, LogKind::end, out.request_id);
    e.status = status;
    e.duration_ns = duration.count();
    emit(spec, &invocation, std::move(e));
  }
  if (spec.log_report) {
    LogEntry e = make(spec, LogKind::report, out.request_id);
    e.status = status;
    e.duration_ns = duration.count();
    if (out.init_duration) e.init_duration_ns = out.init_duration->count();
    emit(spec, &invocation, std::move(e));
  }
}

}  // namespace nanofaas::detail::invocation_log
