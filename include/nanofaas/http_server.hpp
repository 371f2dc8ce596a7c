#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nanofaas/access_key.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

class Engine;
class Source;

/// How the HTTP server listens, whom it lets in, and what protects the host from clients.
struct HttpServerConfig {
  /// The address to bind. Anything but loopback needs `access_keys`.
  std::string address = "127.0.0.1";
  /// 0 picks a free port (`HttpServer::port` tells which).
  std::uint16_t port = 0;
  /// Threads running the server's I/O (never the engine's workers).
  std::uint32_t io_threads = 1;
  /// Requests must be signed (SigV4) with one of these; none: no authentication, and the
  /// server refuses to bind beyond loopback.
  std::vector<AccessKey> access_keys{};
  /// What ARNs in responses name: `arn:aws:lambda:<region>:<account_id>:function:<name>`.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  /// The largest request header block, and body (Lambda's 6 MB synchronous limit; the engine
  /// refuses what a function's own limit or the asynchronous limit does not take).
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 6 * 1024 * 1024;
  /// Connections open at once; more are closed as soon as they are accepted.
  std::size_t max_connections = 1024;
  /// How long a connection may wait for a request's headers (idle keep-alive included), and
  /// then for its body, before it is closed.
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
  std::chrono::nanoseconds body_timeout = std::chrono::seconds(30);
  /// Event sources the Lambda API's event source mapping calls may name, by ARN (e.g.
  /// `arn:aws:sqs:us-east-1:000000000000:orders`). A `Queue` here may also be a destination.
  std::map<std::string, std::shared_ptr<Source>> event_sources{};
  /// When set, `GET /metrics` answers with what it returns (Prometheus' text format), without
  /// authentication, as a scrape endpoint does. Called on an I/O thread: it must not block.
  std::function<std::string()> metrics{};
};

/// The Lambda API over HTTP for an engine's functions: `Invoke` and the control-plane calls
/// that map to the engine, with Lambda's paths, JSON shapes and errors, so that the AWS CLI and
/// SDKs work against it (`--endpoint-url`). Runs until stopped or destroyed; stop it before the
/// engine goes.
class NANOFAAS_API HttpServer {
 public:
  /// Binds and starts serving. Errors: `invalid_argument` (bad configuration, or no
  /// `access_keys` on an address beyond loopback), `unavailable` (the address cannot be bound).
  [[nodiscard]] static Expected<HttpServer> start(Engine& engine, HttpServerConfig config);

  HttpServer(HttpServer&&) noexcept;
  HttpServer& operator=(HttpServer&&) noexcept;
  ~HttpServer();

  /// The port it listens on.
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// `http://<address>:<port>`.
  [[nodiscard]] std::string base_url() const;
  /// Stops accepting, closes every connection and joins the I/O threads. Calls still in the
  /// engine finish there; their responses are dropped. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nanofaas
