#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/api_call.hpp"
#include "http/server_state.hpp"

namespace nanofaas::http {

/// One client connection: reads requests (headers within the idle timeout, then the body
/// within the body timeout, both bounded in size), hands each to the router, answers it, and
/// keeps the connection alive between them.
///
/// While a call is in the engine nothing else touches the socket, so the thread that completes
/// it answers: a response the socket takes whole is sent there, without blocking, and that
/// thread starts the next read. Only the rest of a larger response, or a closing one, goes back
/// to the connection's strand. This saves the I/O thread a wake-up per request.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket&& socket, ServerState& state);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Starts reading, on the connection's strand.
  void start();

 private:
  void read_header();
  void on_header(boost::beast::error_code error);
  void on_body(boost::beast::error_code error);
  /// A request that could not be read: answered when the client can still read an answer,
  /// and the connection closed.
  void on_read_error(boost::beast::error_code error);
  void on_request();
  /// Sends the answer to the current request, from any thread (see the class comment).
  void answer(Response&& response, bool close);
  /// Writes the unsent rest of `out_`, on the strand.
  void write_rest(std::size_t sent);
  void on_write(boost::beast::error_code error);
  /// After an answer: keeps the connection alive for the next request.
  void next_request();
  void close();
  /// Closes the connection when `timeout` passes before `disarm`.
  void arm(std::chrono::nanoseconds timeout);
  void disarm();

  ServerState& state_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  /// Which arming a firing timer belongs to: an older one is stale. Atomic: the next read
  /// arms it on the thread that answered while a stale expiry may run on the strand.
  std::atomic<std::uint64_t> timer_generation_{0};
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  /// The current request's HTTP version and keep-alive, which its answer follows.
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string out_;  // the serialized response
  bool close_after_write_ = false;
};

}  // namespace nanofaas::http
