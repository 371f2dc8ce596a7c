#pragma once

#include "nanofaas/event_source_mapping.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// Checks a mapping's settings against Lambda's ranges for the source's kind; the message
/// names the parameter.
Status validate_mapping(const EventSourceMappingConfig& config);

}  // namespace nanofaas::detail
