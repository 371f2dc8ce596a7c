#pragma once

#include <functional>

#include "nanofaas/http_server.hpp"

namespace nanofaas::http {

/// What every route works with: the engine, the server's configuration, and a way to run a
/// call that blocks (provisioned concurrency, mapping changes) off the I/O threads.
struct ApiContext {
  Engine& engine;
  const HttpServerConfig& config;
  std::function<void(std::function<void()>)> run_blocking;
};

}  // namespace nanofaas::http
