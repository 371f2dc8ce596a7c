#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>
#include <optional>

#include "http/authenticator.hpp"
#include "http/router.hpp"
#include "nanofaas/http_server.hpp"

namespace nanofaas::http {

/// What the server's connections share. The counters come first: they outlive the
/// io_context, whose destruction frees the connections still queued in it.
struct ServerState {
  ServerState(Engine& engine, HttpServerConfig server_config);

  std::atomic<std::size_t> connections{0};
  /// Responses owed by calls handed to the engine or the blocking pool: stop waits for them.
  std::atomic<std::size_t> responses_owed{0};
  std::atomic<bool> stopped{false};
  HttpServerConfig config;
  Authenticator authenticator;
  boost::asio::thread_pool blocking{1};
  Router router;
  /// Reset by `HttpServer::stop`, which frees the connections still waiting in it.
  std::optional<boost::asio::io_context> io{std::in_place};
};

}  // namespace nanofaas::http
