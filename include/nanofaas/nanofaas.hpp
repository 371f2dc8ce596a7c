#pragma once

/// The engine's whole API. JSON helpers, which pull in simdjson, are in nanofaas/json.hpp; the
/// load generator (target nanofaas::load) is in nanofaas/load_generator.hpp.
#include "nanofaas/async_outcome.hpp"
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
#include "nanofaas/queue.hpp"
#include "nanofaas/record.hpp"
#include "nanofaas/request_id.hpp"
#include "nanofaas/response.hpp"
#include "nanofaas/source.hpp"
#include "nanofaas/stream.hpp"
#include "nanofaas/version.hpp"
