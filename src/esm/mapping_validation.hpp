#pragma once

#include <chrono>

#include "nanofaas/event_source_mapping.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// Checks a mapping's settings against Lambda's ranges for the source's kind; the message
/// names the parameter.
Status validate_mapping(const EventSourceMappingConfig& config);
/// Lambda's check that a queue keeps a message invisible for at least the function's timeout,
/// so a batch still running is not received again; the message names both values.
Status validate_visibility(const Source& source, std::chrono::nanoseconds function_timeout);

}  // namespace nanofaas::detail
