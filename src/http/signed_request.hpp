#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace nanofaas::http {

/// One header field as received: a name in any case and its value.
using HeaderField = std::pair<std::string_view, std::string_view>;

/// The parts of an HTTP request a signature covers, viewing the server's buffers.
struct SignedRequest {
  std::string_view method;           ///< "POST", "GET", ...
  std::string_view target;           ///< path and query as received, still percent-encoded
  std::vector<HeaderField> headers;  ///< in received order; a name may repeat
  std::string_view body;
};

}  // namespace nanofaas::http
