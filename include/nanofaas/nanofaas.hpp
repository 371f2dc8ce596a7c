#pragma once

/// The whole public API (JSON helpers, which pull in simdjson, are in nanofaas/json.hpp).
#include "nanofaas/clock.hpp"
#include "nanofaas/context.hpp"
#include "nanofaas/engine.hpp"
#include "nanofaas/engine_config.hpp"
#include "nanofaas/error.hpp"
#include "nanofaas/event.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/filter.hpp"
#include "nanofaas/function_config.hpp"
#include "nanofaas/invoke_result.hpp"
#include "nanofaas/metrics.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/response.hpp"
