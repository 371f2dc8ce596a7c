#pragma once

// One HTTP request per call for the API tests, over `RawHttp` (tests/raw_http.hpp).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "raw_http.hpp"

namespace nanofaas::test {

/// The answer; status 0 when there was none (the connection failed or timed out).
using HttpReply = RawResponse;

/// Sends `method target` with a JSON `body` to 127.0.0.1:`port` and reads the answer.
inline HttpReply http_request(std::uint16_t port, std::string_view method, std::string_view target,
                              std::string_view body = {}, std::string_view extra_headers = {}) {
  try {
    RawHttp client(port);
    const std::string request =
        std::string(method) + " " + std::string(target) +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n" + std::string(extra_headers) + "\r\n" +
        std::string(body);
    if (!client.send(request)) return {};
    return client.read_response().value_or(HttpReply{});
  } catch (const std::runtime_error&) {
    return {};
  }
}

}  // namespace nanofaas::test
