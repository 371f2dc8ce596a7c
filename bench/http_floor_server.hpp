#pragma once

// The floor for the HTTP API's benchmark: a bare Boost.Beast server on its own I/O threads
// that answers every request with its body at once, with the same keep-alive handling and
// response shape as nanofaas' server, and nothing else. With `hand_off`, each request goes to
// another thread and its answer comes back to the I/O thread, as a server whose work runs off
// its I/O threads must do: the cost of that round trip alone.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace nanofaas::bench {

class FloorServer {
 public:
  FloorServer(unsigned io_threads, bool hand_off)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}), hand_off_(hand_off) {
    accept();
    for (unsigned i = 0; i < io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
    if (hand_off_) threads_.emplace_back([this] { work_.run(); });
  }
  ~FloorServer() {
    work_guard_.reset();
    work_.stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  using tcp = boost::asio::ip::tcp;
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket&& socket, boost::asio::io_context* work)
        : stream(std::move(socket)), work(work) {}
    void read() {
      request = {};
      boost::beast::http::async_read(
          stream, buffer, request,
          [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
            if (error) return;
            if (self->work == nullptr) return self->answer();
            boost::asio::post(*self->work, [self] {
              boost::asio::post(self->stream.get_executor(), [self] { self->answer(); });
            });
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
    boost::asio::io_context* work;  // the thread requests are handed to, or null
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };

  void accept() {
    acceptor_.async_accept(
        boost::asio::make_strand(io_), [this](boost::beast::error_code error, tcp::socket socket) {
          if (error) return;
          std::make_shared<Session>(std::move(socket), hand_off_ ? &work_ : nullptr)->read();
          accept();
        });
  }

  boost::asio::io_context io_;
  boost::asio::io_context work_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_guard_{
      work_.get_executor()};
  tcp::acceptor acceptor_;
  bool hand_off_;
  std::vector<std::thread> threads_;
};

}  // namespace nanofaas::bench
