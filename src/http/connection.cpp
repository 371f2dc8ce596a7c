#include "http/connection.hpp"

#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
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

namespace {

/// Beast's synchronous write stream over a string: serializes a message into bytes.
struct StringSink {
  std::string& out;

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    std::size_t size = 0;
    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers);
         ++it) {
      const net::const_buffer buffer = *it;
      out.append(static_cast<const char*>(buffer.data()), buffer.size());
      size += buffer.size();
    }
    return size;
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, beast::error_code& error) {
    error = {};
    return write_some(buffers);
  }
};

/// Now plus `timeout`, saturated: a timeout of `nanoseconds::max()` means never.
std::chrono::steady_clock::time_point in(std::chrono::nanoseconds timeout) noexcept {
  using Clock = std::chrono::steady_clock;
  const Clock::duration now = Clock::now().time_since_epoch();
  const auto left = Clock::duration::max() - now;
  return Clock::time_point(timeout >= left ? Clock::duration::max() : now + timeout);
}

}  // namespace

Connection::Connection(net::ip::tcp::socket&& socket, ServerState& state)
    : state_(state), socket_(std::move(socket)), timer_(socket_.get_executor()) {
  state_.connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  state_.connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start() {
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->arm(self->state_.config.idle_timeout);
    self->watch();
    self->read_header();
  });
}

void Connection::arm(std::chrono::nanoseconds timeout) {
  deadline_.store(in(timeout).time_since_epoch().count(), std::memory_order_relaxed);
}

void Connection::disarm() {
  deadline_.store(no_deadline, std::memory_order_relaxed);
}

void Connection::watch() {
  // Each deadline is at least `check` away when set, and the timer never waits longer than
  // `check`: it wakes before every deadline without being moved when one is set.
  const auto check = std::min(state_.config.idle_timeout, state_.config.body_timeout);
  const auto now = Clock::now();
  const Clock::time_point deadline{Clock::duration(deadline_.load(std::memory_order_relaxed))};
  if (now >= deadline) {
    // Not a close: the socket may be in another thread's hands. The pending read or write
    // ends with an error on the strand, which closes.
    if (writing_) {
      // An answer the client does not read is dropped: reset, since a close would wait for
      // the client to take what is already queued.
      const linger abort{1, 0};
      ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    }
    ::shutdown(socket_.native_handle(), SHUT_RDWR);
    disarm();
  }
  const Clock::time_point next = in(check);
  timer_.expires_at(now >= deadline ? next : std::min(deadline, next));
  timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error && self->socket_.is_open()) self->watch();
  });
}

void Connection::read_header() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_.config.max_header_bytes));
  parser_->body_limit(state_.config.max_body_bytes);
  arm(state_.config.idle_timeout);
  beast_http::async_read_header(socket_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code error, std::size_t) {
                                  self->on_header(error);
                                });
}

void Connection::on_header(beast::error_code error) {
  if (error) return on_read_error(error);
  if (parser_->is_done()) return on_request();
  arm(state_.config.body_timeout);
  beast_http::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_body(error); });
}

void Connection::on_body(beast::error_code error) {
  if (error) return on_read_error(error);
  on_request();
}

void Connection::on_read_error(beast::error_code error) {
  disarm();
  version_ = parser_->is_header_done() && parser_->get().version() == 10 ? 10 : 11;
  if (error == beast_http::error::body_limit) {
    return answer(error_response(status::payload_too_large, "RequestTooLargeException",
                                 "Request must be smaller than " +
                                     std::to_string(state_.config.max_body_bytes) +
                                     " bytes for the invoke operation"),
                  true);
  }
  if (error == beast_http::error::header_limit) {
    return answer(error_response(status::request_header_fields_too_large, "RequestHeaderTooLarge",
                                 "Request header fields too large"),
                  true);
  }
  if (error.category() == beast::error_code(beast_http::error::end_of_stream).category() &&
      error != beast_http::error::end_of_stream && error != beast_http::error::partial_message) {
    return answer(error_response(status::bad_request, "BadRequest",
                                 "Malformed HTTP request: " + error.message()),
                  true);
  }
  close();  // the client left, went quiet, or the connection broke
}

void Connection::on_request() {
  disarm();  // the engine's timeout bounds the call
  Request request = parser_->release();
  version_ = request.version();
  keep_alive_ = request.keep_alive();
  state_.responses_owed.fetch_add(1, std::memory_order_relaxed);
  Respond respond = [self = shared_from_this()](Response&& response) mutable {
    // Called once, often on an engine worker. This reference goes before the debt is paid:
    // once nothing is owed, a stopping server destroys the loop, and the connection must not
    // be destroyed after it, here.
    std::shared_ptr<Connection> connection = std::move(self);
    ServerState& state = connection->state_;
    if (!state.stopped.load(std::memory_order_acquire)) {
      try {
        connection->answer(std::move(response), false);
      } catch (...) {  // out of memory: the client gets a close, the engine no exception
        try {
          net::post(connection->socket_.get_executor(), [connection] { connection->close(); });
        } catch (...) {  // the connection goes when the server stops
        }
      }
    }
    connection.reset();
    state.responses_owed.fetch_sub(1, std::memory_order_release);
  };
  // A Prometheus scrape is not signed: it is answered before authentication, when enabled.
  if (state_.config.metrics && request.method() == beast_http::verb::get &&
      to_std(request.target()) == "/metrics") {
    Response metrics(status::ok, 11);
    metrics.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    metrics.body() = state_.config.metrics();
    return respond(std::move(metrics));
  }
  auto who = state_.authenticator.authenticate(request);
  if (auto* denied = std::get_if<Response>(&who)) return respond(std::move(*denied));
  ApiCall call{
      std::move(request), {}, {}, std::move(std::get<std::string>(who)), std::move(respond)};
  if (!parse_target(to_std(call.request.target()), call.segments, call.query)) {
    return call.respond(
        error_response(status::bad_request, "BadRequest", "Malformed request target"));
  }
  state_.router.handle(std::move(call));
}

void Connection::answer(Response&& response, bool close) {
  close_after_write_ = close || !keep_alive_;
  response.version(version_ == 10 ? 10 : 11);
  response.keep_alive(!close_after_write_);
  response.prepare_payload();
  out_.clear();
  beast::error_code error;
  StringSink sink{out_};
  beast_http::write(sink, response, error);
  std::size_t sent = 0;
  if (!close_after_write_) {
    const ssize_t n =
        ::send(socket_.native_handle(), out_.data(), out_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) sent = static_cast<std::size_t>(n);
    if (sent == out_.size()) return next_request();
  }
  net::post(socket_.get_executor(), [self = shared_from_this(), sent] { self->write_rest(sent); });
}

void Connection::write_rest(std::size_t sent) {
  arm(state_.config.body_timeout);  // a client that does not read
  writing_ = true;
  net::async_write(
      socket_, net::buffer(out_.data() + sent, out_.size() - sent),
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
}

void Connection::on_write(beast::error_code error) {
  disarm();
  writing_ = false;
  if (error || close_after_write_) return close();
  next_request();
}

void Connection::next_request() {
  constexpr std::size_t kept_bytes = 64 * 1024;  // a large answer's buffer is not kept idle
  if (out_.capacity() > kept_bytes) std::string().swap(out_);
  read_header();
}

void Connection::close() {
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

}  // namespace nanofaas::http
