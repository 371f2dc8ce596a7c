#pragma once

#include <string_view>

#include "nanofaas/async_config.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/function_config.hpp"

namespace nanofaas::detail {

/// Lambda's rules for a function or alias name: 1 to 64 of [A-Za-z0-9_-].
Status validate_name(std::string_view name);
/// Lambda's rules for an event invoke configuration (`invalid_argument` naming the field).
Status validate_async_config(const AsyncConfig& async);
/// Lambda's values for a `LoggingConfig` (`invalid_argument` naming the field).
Status validate_logging_config(const LoggingConfig& logging);
/// Lambda's rules for a function's name and settings, within the engine's limits.
Status validate_function_config(const FunctionConfig& config, const EngineConfig& engine);

}  // namespace nanofaas::detail
