#pragma once

#include "core/engine_core.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas {

/// The engine's state behind the public `Engine` handle.
struct Engine::Impl final : detail::EngineCore {
  using EngineCore::EngineCore;
};

}  // namespace nanofaas
