#pragma once

// The C client's outcomes as nanofaas errors, and which of them pass on their own (a leader
// election, a server restarting) so that a caller retries instead of failing.

#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <string_view>

#include "nanofaas/error.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// An error saying what failed (`what`), with the client's status text, its last error and
/// the JetStream error code, if any. The code follows from the status unless given.
[[nodiscard]] Error nats_error(std::string_view what, natsStatus status,
                               jsErrCode js_error = jsErrCode{});
/// As above with a chosen code.
[[nodiscard]] Error nats_error(Errc code, std::string_view what, natsStatus status,
                               jsErrCode js_error = jsErrCode{});

/// True for outcomes that pass once the cluster has a leader again or the connection is back:
/// timeouts, no responders, a disconnected client, JetStream temporarily unavailable.
[[nodiscard]] bool transient(natsStatus status, jsErrCode js_error) noexcept;

/// Runs `call(js_error)` (which returns a natsStatus and may set the JetStream error) until it
/// succeeds, fails for good, or `patience` has passed; waits 50 ms doubling to 1 s between
/// attempts. Returns the last status, with its JetStream error in `js_error`.
template <class Call>
natsStatus retry_transient(std::chrono::milliseconds patience, jsErrCode& js_error, Call call) {
  const auto until = std::chrono::steady_clock::now() + patience;
  std::chrono::milliseconds pause{50};
  for (;;) {
    js_error = jsErrCode{};
    const natsStatus s = call(js_error);
    if (s == NATS_OK || !transient(s, js_error) || std::chrono::steady_clock::now() >= until) {
      return s;
    }
    nats_Sleep(pause.count());  // a backoff while the cluster recovers
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

}  // namespace nanofaas::detail
