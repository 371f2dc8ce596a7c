#include "nanofaas/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <thread>

#include "http/connection.hpp"
#include "http/server_state.hpp"
#include "nanofaas/engine.hpp"

namespace nanofaas {

namespace net = boost::asio;
using net::ip::tcp;

namespace http {

ServerState::ServerState(Engine& engine, HttpServerConfig server_config)
    : config(std::move(server_config)),
      authenticator(config.access_keys),
      router(ApiContext{engine, config, [this](std::function<void()> work) {
                          net::post(blocking, std::move(work));
                        }}) {}

}  // namespace http

struct HttpServer::Impl {
  explicit Impl(Engine& engine, HttpServerConfig config)
      : state(engine, std::move(config)), acceptor(std::in_place, net::make_strand(*state.io)) {}
  ~Impl() { stop(); }

  Status listen();
  void accept();
  void run_io();
  void stop();

  http::ServerState state;
  std::optional<tcp::acceptor> acceptor;  // reset by stop, before the io_context
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool stopped = false;
};

namespace {

Status check(const HttpServerConfig& config, net::ip::address& address) {
  boost::system::error_code error;
  address = net::ip::make_address(config.address, error);
  if (error) {
    return Unexpected(Error{Errc::invalid_argument, "HttpServerConfig::address '" + config.address +
                                                        "' is not an IP address"});
  }
  if (config.access_keys.empty() && !address.is_loopback()) {
    return Unexpected(Error{Errc::invalid_argument,
                            "HttpServerConfig: binding " + config.address +
                                " (beyond loopback) needs access_keys: requests must be signed"});
  }
  for (const AccessKey& key : config.access_keys) {
    if (key.id.empty() || key.secret.empty()) {
      return Unexpected(Error{Errc::invalid_argument,
                              "HttpServerConfig: an access key needs an id and a secret"});
    }
  }
  if (config.io_threads == 0 || config.max_connections == 0 || config.max_body_bytes == 0 ||
      config.max_header_bytes == 0 || config.idle_timeout.count() <= 0 ||
      config.body_timeout.count() <= 0) {
    return Unexpected(Error{Errc::invalid_argument,
                            "HttpServerConfig: io_threads, max_connections, max_body_bytes, "
                            "max_header_bytes and the timeouts must be positive"});
  }
  return {};
}

}  // namespace

Status HttpServer::Impl::listen() {
  net::ip::address address;
  if (auto ok = check(state.config, address); !ok) return ok;
  const tcp::endpoint endpoint(address, state.config.port);
  boost::system::error_code error;
  acceptor->open(endpoint.protocol(), error);
  if (!error) acceptor->set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor->bind(endpoint, error);
  if (!error) acceptor->listen(net::socket_base::max_listen_connections, error);
  if (error) {
    return Unexpected(
        Error{Errc::unavailable, "HttpServer: cannot listen on " + state.config.address + ":" +
                                     std::to_string(state.config.port) + ": " + error.message()});
  }
  port = acceptor->local_endpoint().port();
  accept();
  for (std::uint32_t i = 0; i < state.config.io_threads; ++i) {
    threads.emplace_back([this] { run_io(); });
  }
  return {};
}

void HttpServer::Impl::accept() {
  acceptor->async_accept(
      net::make_strand(*state.io), [this](boost::system::error_code error, tcp::socket socket) {
        if (error == net::error::operation_aborted) return;  // stopping
        if (!error) {
          if (state.connections.load(std::memory_order_relaxed) >= state.config.max_connections) {
            socket.close(error);  // over the cap: refused at once
          } else {
            std::make_shared<http::Connection>(std::move(socket), state)->start();
          }
        }
        accept();
      });
}

void HttpServer::Impl::run_io() {
  state.io->run();  // until stop: the acceptor always waits for the next connection
}

void HttpServer::Impl::stop() {
  if (stopped) return;
  stopped = true;
  state.stopped.store(true, std::memory_order_release);
  state.io->stop();
  for (std::thread& t : threads) t.join();
  boost::system::error_code ignored;
  acceptor->close(ignored);  // no new connection waits in the backlog while calls end
  // Calls in the engine answer into the stopped loop (their responses are dropped).
  while (state.responses_owed.load(std::memory_order_acquire) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  state.blocking.join();
  // Every connection is now only held by a handler queued in the loop: destroying it closes
  // them all.
  acceptor.reset();
  state.io.reset();
}

Expected<HttpServer> HttpServer::start(Engine& engine, HttpServerConfig config) {
  auto impl = std::make_unique<Impl>(engine, std::move(config));
  if (auto ok = impl->listen(); !ok) return Unexpected(std::move(ok).error());
  return HttpServer(std::move(impl));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
HttpServer::HttpServer(HttpServer&&) noexcept = default;
HttpServer& HttpServer::operator=(HttpServer&&) noexcept = default;
HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const noexcept {
  return impl_->port;
}

std::string HttpServer::base_url() const {
  const std::string& address = impl_->state.config.address;
  const bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(impl_->port);
}

void HttpServer::stop() {
  impl_->stop();
}

}  // namespace nanofaas
