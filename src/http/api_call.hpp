#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace nanofaas::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

/// Beast's string view as the standard one.
inline std::string_view to_std(boost::beast::string_view s) noexcept {
  return {s.data(), s.size()};
}

/// The standard string view as Beast's.
inline boost::beast::string_view to_beast(std::string_view s) noexcept {
  return {s.data(), s.size()};
}

/// Sends a response to the client: callable once, from any thread.
using Respond = std::function<void(Response&&)>;

/// One authenticated API request as the routes see it; it owns the request.
struct ApiCall {
  Request request;
  /// The path's segments, percent-decoded ("/2015-03-31/functions/f" → "2015-03-31",
  /// "functions", "f").
  std::vector<std::string> segments;
  /// The query's parameters, percent-decoded.
  std::map<std::string, std::string, std::less<>> query;
  /// Who signed the request (checked against resource policies); empty: no authentication.
  std::string principal;
  Respond respond;

  [[nodiscard]] std::string_view param(std::string_view name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string_view{} : std::string_view(it->second);
  }
};

}  // namespace nanofaas::http
