#include "http/connection.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "http/responses.hpp"

namespace nanofaas::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using beast_http::status;

Connection::Connection(net::ip::tcp::socket&& socket, ServerState& state)
    : state_(state), stream_(std::move(socket)) {
  state_.connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  state_.connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Connection::read_header, shared_from_this()));
}

void Connection::read_header() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_.config.max_header_bytes));
  parser_->body_limit(state_.config.max_body_bytes);
  stream_.expires_after(state_.config.idle_timeout);
  beast_http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code error, std::size_t) {
                                  self->on_header(error);
                                });
}

void Connection::on_header(beast::error_code error) {
  if (error) return on_read_error(error);
  if (parser_->is_done()) return on_request();
  stream_.expires_after(state_.config.body_timeout);
  beast_http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_body(error); });
}

void Connection::on_body(beast::error_code error) {
  if (error) return on_read_error(error);
  on_request();
}

void Connection::on_read_error(beast::error_code error) {
  if (error == beast_http::error::body_limit) {
    return write(error_response(status::payload_too_large, "RequestTooLargeException",
                                "Request must be smaller than " +
                                    std::to_string(state_.config.max_body_bytes) +
                                    " bytes for the invoke operation"),
                 true);
  }
  if (error == beast_http::error::header_limit) {
    return write(error_response(status::request_header_fields_too_large, "RequestHeaderTooLarge",
                                "Request header fields too large"),
                 true);
  }
  if (error.category() == beast::error_code(beast_http::error::end_of_stream).category() &&
      error != beast_http::error::end_of_stream && error != beast_http::error::partial_message) {
    return write(error_response(status::bad_request, "BadRequest",
                                "Malformed HTTP request: " + error.message()),
                 true);
  }
  close();  // the client left, went quiet, or the connection broke
}

void Connection::on_request() {
  stream_.expires_never();  // the engine's timeout bounds the call
  request_ = parser_->release();
  state_.responses_owed.fetch_add(1, std::memory_order_relaxed);
  Respond respond = [self = shared_from_this()](Response&& response) mutable {
    // Called once, often on an engine worker. This reference goes before the debt is paid:
    // once nothing is owed, a stopping server destroys the loop, and the connection must not
    // be destroyed after it, here.
    std::shared_ptr<Connection> connection = std::move(self);
    ServerState& state = connection->state_;
    if (!state.stopped.load(std::memory_order_acquire)) {
      net::post(connection->stream_.get_executor(),
                [connection, response = std::move(response)]() mutable {
                  connection->write(std::move(response), false);
                });
    }
    connection.reset();
    state.responses_owed.fetch_sub(1, std::memory_order_release);
  };
  // A Prometheus scrape is not signed: it is answered before authentication, when enabled.
  if (state_.config.metrics && request_.method() == beast_http::verb::get &&
      to_std(request_.target()) == "/metrics") {
    Response metrics(status::ok, 11);
    metrics.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    metrics.body() = state_.config.metrics();
    return respond(std::move(metrics));
  }
  auto who = state_.authenticator.authenticate(request_);
  if (auto* denied = std::get_if<Response>(&who)) return respond(std::move(*denied));
  ApiCall call{request_, {}, {}, std::move(std::get<std::string>(who)), std::move(respond)};
  if (!parse_target(to_std(request_.target()), call.segments, call.query)) {
    return call.respond(
        error_response(status::bad_request, "BadRequest", "Malformed request target"));
  }
  state_.router.handle(std::move(call));
}

void Connection::write(Response&& response, bool close) {
  response_ = std::move(response);
  close_after_write_ = close || !request_.keep_alive();
  response_.version(request_.version() == 10 ? 10 : 11);
  response_.keep_alive(!close_after_write_);
  response_.prepare_payload();
  stream_.expires_after(state_.config.body_timeout);  // a client that does not read
  beast_http::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
}

void Connection::on_write(beast::error_code error) {
  if (error || close_after_write_) return close();
  response_ = {};
  request_ = {};
  read_header();
}

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace nanofaas::http
