#pragma once

#include <string_view>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"
#include "nanofaas/load_report.hpp"
#include "nanofaas/load_spec.hpp"
#include "nanofaas/load_ticket.hpp"
#include "nanofaas/payload.hpp"

namespace nanofaas {

class Engine;

/// Runs `spec` against an engine function and blocks until every event has completed.
/// Sync mode calls `invoke` on the drivers; async mode `invoke_async` with a completion
/// callback (a queue-full refusal is retried and counted; the function's `AsyncConfig`
/// applies, so a failing event completes after its retries: set `maximum_retry_attempts` 0
/// to count it at once). Call from a plain thread: from a handler (any engine's worker) it
/// fails with `invalid_argument`. Also fails with `spec.validate()`'s error, or `dry_run`'s
/// (`not_found`, `too_many_requests` when reserved 0…) before sending anything.
[[nodiscard]] NANOFAAS_API Expected<LoadReport> run_load(Engine& engine,
                                                         std::string_view qualified_name,
                                                         PayloadView payload, const LoadSpec& spec);

/// Runs `spec` against any target (a peer to compare with, a host's own service): `send` is
/// called on the driver threads (one in async mode, `spec.concurrency` in sync mode) and the
/// target calls `LoadTicket::done` once per accepted event, from any thread. Blocks until every
/// accepted event is done, so a target that never calls `done` hangs the run. Fails as above;
/// when a send throws, the run stops sending, waits for the events already taken, and fails
/// with `invalid_argument` quoting the exception.
[[nodiscard]] NANOFAAS_API Expected<LoadReport> run_load(const LoadSpec& spec,
                                                         const LoadSend& send);

}  // namespace nanofaas
