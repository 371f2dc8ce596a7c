#include "http/authenticator.hpp"

#include "http/responses.hpp"

namespace nanofaas::http {

Authenticator::Authenticator(std::vector<AccessKey> keys)
    : enabled_(!keys.empty()), verifier_(std::move(keys)) {}

std::variant<std::string, Response> Authenticator::authenticate(const Request& request) const {
  if (!enabled_) return std::string();
  SignedRequest signed_request{
      to_std(request.method_string()), to_std(request.target()), {}, request.body()};
  for (const auto& field : request) {
    signed_request.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
  }
  auto key = verifier_.verify(signed_request, std::chrono::system_clock::now());
  if (!key) {
    return error_response(beast_http::status::forbidden, key.error().type, key.error().message);
  }
  return (*key)->principal;
}

}  // namespace nanofaas::http
