#pragma once

#include "nanofaas/async_config.hpp"

namespace nanofaas::detail {

/// The event invoke configuration a function has unless one is set (Lambda's defaults, no
/// destinations): one shared, never-freed object (queued events may point at it).
const AsyncConfig& default_async_config();

}  // namespace nanofaas::detail
