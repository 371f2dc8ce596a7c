#pragma once

#include <string>
#include <string_view>

#include "common/fail.hpp"
#include "nanofaas/queue.hpp"

namespace nanofaas::detail {

/// `invalid_argument` when `queue` (named `field` in the message), given as a destination or
/// dead-letter queue, cannot take records: a FIFO queue, which Lambda does not send them to.
inline Status validate_record_queue(const Queue* queue, std::string_view field) {
  if (queue != nullptr && queue->fifo()) {
    return fail(Errc::invalid_argument,
                std::string(field) + ": a FIFO queue cannot take records; use a standard queue");
  }
  return {};
}

}  // namespace nanofaas::detail
