#include "http/authenticator.hpp"

#include "http/responses.hpp"

namespace nanofaas::http {

Authenticator::Authenticator(std::vector<AccessKey> keys) : keys_(std::move(keys)) {}

std::variant<std::string, Response> Authenticator::authenticate(const Request& request) const {
  (void)request;
  if (keys_.empty()) return std::string();
  return error_response(beast_http::status::forbidden, "MissingAuthenticationTokenException",
                        "Missing Authentication Token");
}

}  // namespace nanofaas::http
