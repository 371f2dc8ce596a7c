#include "nanofaas/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace nanofaas {

std::string_view lambda_name(Errc code) noexcept {
  switch (code) {
    case Errc::not_found: return "ResourceNotFoundException";
    case Errc::already_exists: return "ResourceConflictException";
    case Errc::invalid_argument: return "InvalidParameterValueException";
    case Errc::request_too_large: return "RequestTooLargeException";
    case Errc::too_many_requests: return "TooManyRequestsException";
    case Errc::permission_denied: return "AccessDeniedException";
    case Errc::unavailable: return "ServiceException";
    case Errc::resource_exhausted: return "TooManyRequestsException";
    case Errc::recursive_invocation: return "RecursiveInvocationException";
  }
  return "UnknownError";
}

std::string_view lambda_name(ThrottleReason reason) noexcept {
  switch (reason) {
    case ThrottleReason::none: return "";
    case ThrottleReason::concurrent_invocation_limit_exceeded:
      return "ConcurrentInvocationLimitExceeded";
    case ThrottleReason::reserved_function_concurrent_invocation_limit_exceeded:
      return "ReservedFunctionConcurrentInvocationLimitExceeded";
  }
  return "";
}

int http_status(Errc code) noexcept {
  switch (code) {
    case Errc::not_found: return 404;
    case Errc::already_exists: return 409;
    case Errc::invalid_argument: return 400;
    case Errc::request_too_large: return 413;
    case Errc::too_many_requests: return 429;
    case Errc::permission_denied: return 403;
    case Errc::unavailable: return 500;
    case Errc::resource_exhausted: return 429;
    case Errc::recursive_invocation: return 400;
  }
  return 500;
}

namespace detail {
void assert_fail(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "nanofaas: assertion failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}
}  // namespace detail

}  // namespace nanofaas
