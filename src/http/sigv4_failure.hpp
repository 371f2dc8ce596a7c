#pragma once

#include <string>

namespace nanofaas::http {

/// Why a request's signature was refused, in Lambda's terms: the HTTP layer answers 403 with
/// `x-amzn-ErrorType: <type>` and `{"Type":"User","message":"<message>"}`.
/// Neither field ever holds a secret.
struct SigV4Failure {
  std::string type;     ///< e.g. "InvalidSignatureException"
  std::string message;  ///< AWS's wording
};

}  // namespace nanofaas::http
