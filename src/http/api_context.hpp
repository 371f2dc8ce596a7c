#pragma once

#include <functional>
#include <memory>

#include "http/control_store.hpp"
#include "nanofaas/http_server.hpp"

namespace nanofaas::http {

/// What every route works with: the engine, the server's configuration, and a way to run a
/// call that blocks (provisioned concurrency, mapping changes) off the I/O threads, and what
/// the control plane keeps beside the engine.
struct ApiContext {
  Engine& engine;
  const HttpServerConfig& config;
  std::function<void(std::function<void()>)> run_blocking;
  std::shared_ptr<ControlStore> store = std::make_shared<ControlStore>();
};

}  // namespace nanofaas::http
