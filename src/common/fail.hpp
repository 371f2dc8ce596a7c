#pragma once

#include <string>
#include <utility>

#include "nanofaas/error.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// An engine error value.
inline Unexpected<Error> fail(Errc code, std::string message,
                              ThrottleReason reason = ThrottleReason::none) {
  return Unexpected(Error{code, std::move(message), reason});
}

}  // namespace nanofaas::detail
