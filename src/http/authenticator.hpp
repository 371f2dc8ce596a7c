#pragma once

#include <string>
#include <variant>
#include <vector>

#include "http/api_call.hpp"
#include "http/sigv4_verifier.hpp"
#include "nanofaas/access_key.hpp"

namespace nanofaas::http {

/// Decides who sent a request: the principal of the access key that signed it (Signature
/// Version 4), or the 403 Lambda answers with. With no keys, every request is the host's.
class Authenticator {
 public:
  explicit Authenticator(std::vector<AccessKey> keys);
  /// The principal, or the error response.
  [[nodiscard]] std::variant<std::string, Response> authenticate(const Request& request) const;

 private:
  bool enabled_;
  SigV4Verifier verifier_;
};

}  // namespace nanofaas::http
