#pragma once

// The floor for the HTTP API's benchmark: a bare Boost.Beast server on its own I/O threads
// that answers every request with its body at once, with the same keep-alive handling and
// response shape as nanofaas' server, and nothing else.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace nanofaas::bench {

class FloorServer {
 public:
  explicit FloorServer(unsigned io_threads)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    for (unsigned i = 0; i < io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~FloorServer() {
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  using tcp = boost::asio::ip::tcp;
  struct Session : std::enable_shared_from_this<Session> {
    explicit Session(tcp::socket&& socket) : stream(std::move(socket)) {}
    void read() {
      request = {};
      boost::beast::http::async_read(
          stream, buffer, request,
          [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
            if (!error) self->answer();
          });
    }
    void answer() {
      response = {boost::beast::http::status::ok, request.version()};
      response.set(boost::beast::http::field::content_type, "application/json");
      response.set("X-Amz-Executed-Version", "$LATEST");
      response.body() = std::move(request.body());
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      boost::beast::http::async_write(
          stream, response,
          [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
            if (!error) self->read();
          });
    }
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };

  void accept() {
    acceptor_.async_accept(boost::asio::make_strand(io_),
                           [this](boost::beast::error_code error, tcp::socket socket) {
                             if (error) return;
                             std::make_shared<Session>(std::move(socket))->read();
                             accept();
                           });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

}  // namespace nanofaas::bench
