#pragma once

#include "nanofaas/export.hpp"

namespace nanofaas::detail {
/// Reports a failed assertion and aborts. Never returns.
[[noreturn]] NANOFAAS_API void assert_fail(const char* expr, const char* file, int line) noexcept;
}  // namespace nanofaas::detail

/// Checks a programming invariant (misuse of the API, an engine bug); aborts with a message.
#define NANOFAAS_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::nanofaas::detail::assert_fail(#expr, __FILE__, __LINE__))
