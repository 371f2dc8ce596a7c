#pragma once

#include <cstdint>
#include <functional>

#include "nanofaas/clock.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

namespace detail {
struct LoadDriver;
}  // namespace detail

/// How one event ended, as its target reports it.
enum class LoadOutcome : std::uint8_t {
  ok,              ///< the work succeeded
  function_error,  ///< the work ran and failed (a function error)
  engine_error,    ///< the target did not run it (an engine error: throttled, not found…)
};

/// One event handed to a target. The target calls `done` exactly once, from any thread, when
/// the work ends; the run waits for that. A small copyable value (fits a `std::function`'s
/// inline storage when captured alone). Valid until `done` returns.
class NANOFAAS_API LoadTicket {
 public:
  /// When the event was due: its latency counts from here, not from when it was sent.
  [[nodiscard]] Clock::time_point scheduled() const noexcept;
  /// False for a warm-up event (its latency and outcome are not reported).
  [[nodiscard]] bool measured() const noexcept;
  /// Records the event's completion now with `outcome`. Call exactly once. Thread-safe.
  void done(LoadOutcome outcome = LoadOutcome::ok) const noexcept;
  /// As above: `ok`, or `function_error` when `ok` is false.
  void done(bool ok) const noexcept { done(ok ? LoadOutcome::ok : LoadOutcome::function_error); }

 private:
  friend struct detail::LoadDriver;
  LoadTicket(detail::LoadDriver* driver, std::int64_t scheduled_ns) noexcept
      : driver_(driver), scheduled_ns_(scheduled_ns) {}

  detail::LoadDriver* driver_;
  std::int64_t scheduled_ns_;
};

/// A target's send: hands the event over and returns true, or returns false when it is
/// refused for now (a full queue); the generator then counts a refusal and retries at once.
/// A send that throws has not taken the event: the run stops (see `run_load`).
using LoadSend = std::function<bool(LoadTicket)>;

}  // namespace nanofaas
