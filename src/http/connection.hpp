#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>

#include "http/api_call.hpp"
#include "http/server_state.hpp"

namespace nanofaas::http {

/// One client connection: reads requests (headers within the idle timeout, then the body
/// within the body timeout, both bounded in size), hands each to the router, writes its
/// response when it comes (from any thread), and keeps the connection alive between them.
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
  void write(Response&& response, bool close);
  void on_write(boost::beast::error_code error);
  void close();

  ServerState& state_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  Request request_;
  Response response_;
  bool close_after_write_ = false;
};

}  // namespace nanofaas::http
