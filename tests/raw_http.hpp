#pragma once

// A blocking HTTP/1.1 client over a plain socket for the HTTP server's tests: it sends any
// bytes (malformed ones too) and reads one response, or sees the connection close.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nanofaas::test {

struct RawResponse {
  int status = 0;
  std::string headers;  // the status line and header lines as received
  std::string body;
  [[nodiscard]] std::string header(std::string_view name) const;
};

class RawHttp {
 public:
  /// Connects to 127.0.0.1:port; reads give up after 20 s (a test never hangs on one).
  explicit RawHttp(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~RawHttp() { close(); }
  RawHttp(const RawHttp&) = delete;
  RawHttp& operator=(const RawHttp&) = delete;

  /// Sends every byte; false when the server has closed the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// One response (Content-Length bodies), or nullopt when the connection closed first.
  std::optional<RawResponse> read_response() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawResponse response;
    response.headers = buffer_.substr(0, end + 2);
    if (response.headers.size() < 12 || response.headers.compare(0, 5, "HTTP/") != 0)
      return std::nullopt;
    response.status = std::atoi(response.headers.substr(9, 3).c_str());
    const std::string length = response.header("content-length");
    const std::size_t size = length.empty() ? 0 : std::strtoul(length.c_str(), nullptr, 10);
    while (buffer_.size() < end + 4 + size) {
      if (!fill()) return std::nullopt;
    }
    response.body = buffer_.substr(end + 4, size);
    buffer_.erase(0, end + 4 + size);
    return response;
  }
  /// True once the server closes the connection (reads end), false if it sends bytes instead.
  bool closed_by_server() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  /// Waits, reading nothing, until the server ends the connection (true) or 20 s pass (false).
  bool ended_by_server_unread() {
    pollfd p{fd_, POLLRDHUP, 0};
    return ::poll(&p, 1, 20000) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }
  /// Sends no more: the server reads the end of the stream after what was sent.
  void shutdown_send() { ::shutdown(fd_, SHUT_WR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool fill() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

inline std::string RawResponse::header(std::string_view name) const {
  std::size_t at = 0;
  while ((at = headers.find("\r\n", at)) != std::string::npos) {
    at += 2;
    const std::size_t colon = headers.find(':', at);
    if (colon == std::string::npos) break;
    std::string key = headers.substr(at, colon - at);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key == name) {
      std::size_t value = colon + 1;
      while (value < headers.size() && headers[value] == ' ') ++value;
      return headers.substr(value, headers.find("\r\n", value) - value);
    }
  }
  return {};
}

/// A POST of `body` to `target`, with extra header lines (each ending in \r\n).
inline std::string post(std::string_view target, std::string_view body,
                        std::string_view extra_headers = {}) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

}  // namespace nanofaas::test
