#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
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
/// to the connection's strand. This saves the I/O thread a wake-up per request. It relies on
/// asio's reactor letting any thread start an operation on a socket that no other thread is
/// using (the strand's only concurrent handler, `watch`, reads just the handle).
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
  /// Sets the deadline by which the current step (reading, or writing the rest) must end;
  /// from any thread.
  void arm(std::chrono::nanoseconds timeout);
  /// No deadline: while a call is in the engine, its timeout bounds it.
  void disarm();
  /// On the strand, until the connection closes: ends the connection once its deadline passes.
  void watch();

  using Clock = std::chrono::steady_clock;
  static constexpr Clock::rep no_deadline = std::numeric_limits<Clock::rep>::max();

  ServerState& state_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  /// The deadline's time since the clock's epoch. Atomic: the thread that answers a call sets
  /// the next one while the timer may read it on the strand.
  std::atomic<Clock::rep> deadline_{no_deadline};
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  /// The current request's HTTP version and keep-alive, which its answer follows.
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string out_;  // the serialized response
  bool close_after_write_ = false;
  bool writing_ = false;  // the strand writes the rest of an answer
};

}  // namespace nanofaas::http
