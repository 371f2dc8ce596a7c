#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanofaas/assert.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

/// Why an engine call failed: the function did not run. Codes follow Abseil's canonical set;
/// `lambda_name()` gives the Lambda exception each one stands for.
enum class Errc : std::uint8_t {
  not_found = 1,         ///< ResourceNotFoundException (404)
  already_exists,        ///< ResourceConflictException (409)
  invalid_argument,      ///< InvalidParameterValueException (400)
  request_too_large,     ///< RequestTooLargeException (413)
  too_many_requests,     ///< TooManyRequestsException (429), with a ThrottleReason
  permission_denied,     ///< AccessDeniedException (403)
  unavailable,           ///< ServiceException (500): the engine is shutting down
  resource_exhausted,    ///< a bounded engine resource is full (429)
  recursive_invocation,  ///< RecursiveInvocationException (400): a call chain deeper than 16
};

/// Why a call was throttled (Lambda's `Reason` on a 429).
enum class ThrottleReason : std::uint8_t {
  none = 0,
  concurrent_invocation_limit_exceeded,                    ///< engine-wide limit
  reserved_function_concurrent_invocation_limit_exceeded,  ///< the function's reservation
};

/// An engine error: a code, a human-readable message, and for throttles the reason.
struct Error {
  Errc code{};
  std::string message{};
  ThrottleReason reason = ThrottleReason::none;
};

/// Lambda's exception name for `code`, e.g. "ResourceNotFoundException".
NANOFAAS_API std::string_view lambda_name(Errc code) noexcept;
/// Lambda's reason string, e.g. "ConcurrentInvocationLimitExceeded"; empty for `none`.
NANOFAAS_API std::string_view lambda_name(ThrottleReason reason) noexcept;
/// The HTTP status Lambda answers with for `code`.
NANOFAAS_API int http_status(Errc code) noexcept;

}  // namespace nanofaas
