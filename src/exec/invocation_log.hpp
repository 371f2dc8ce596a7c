#pragma once

#include <chrono>
#include <string_view>

#include "exec/environment_spec.hpp"
#include "exec/invocation.hpp"
#include "exec/log_entry.hpp"

namespace nanofaas::detail {

/// The log of one invocation as Lambda writes it: START before the handler, the handler's
/// lines, END and REPORT after. Each line goes to the engine's log writer (when it has a sink)
/// and, formatted here, to the invocation's tail when the caller asked for one.
namespace invocation_log {

/// True when anything is logged for `invocation`: the engine has a sink or the caller wants a
/// tail. The only cost when neither.
inline bool wanted(const EnvironmentSpec& spec, const Invocation& invocation) noexcept {
  return spec.host->log_writer() != nullptr || invocation.tail_log;
}
/// INIT_START (`platform.initStart`), as an environment's init begins; for the engine's sink
/// only (an init is no call's).
void init_start(const EnvironmentSpec& spec, bool provisioned) noexcept;
/// `platform.initReport` once the init ended, with its time; in text only when it failed
/// (INIT_REPORT with its `error_type`), as Lambda writes it.
void init_report(const EnvironmentSpec& spec, bool provisioned, std::chrono::nanoseconds duration,
                 std::string_view error_type) noexcept;
/// START (`platform.start`), as the handler begins.
void start(const EnvironmentSpec& spec, Invocation& invocation) noexcept;
/// A handler's line at `level`; `invocation` is null during init. Below the version's level
/// it is dropped before anything is copied.
void function_line(const EnvironmentSpec& spec, Invocation* invocation, LogLevel level,
                   std::string_view message) noexcept;
/// END and REPORT (`platform.runtimeDone`, `platform.report`) once the handler returned, with
/// its run time and, on a cold start, the init time.
void end(const EnvironmentSpec& spec, Invocation& invocation, LogStatus status,
         std::chrono::nanoseconds duration) noexcept;

}  // namespace invocation_log
}  // namespace nanofaas::detail
