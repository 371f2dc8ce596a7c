#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/signed_request.hpp"
#include "http/sigv4_failure.hpp"
#include "nanofaas/access_key.hpp"
#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas::http {

/// Checks AWS Signature Version 4 (Authorization header form) on requests to the Lambda API:
/// service "lambda", any region, the signing time within 5 minutes of the server's clock.
/// Thread-safe; derived signing keys are cached per access key and scope.
class NANOFAAS_API SigV4Verifier {
 public:
  /// How far X-Amz-Date may be from the server's clock, either way.
  static constexpr std::chrono::minutes max_skew{5};

  /// Accepts requests signed with any of `keys`; of keys sharing an id, the first counts.
  explicit SigV4Verifier(std::vector<AccessKey> keys);
  ~SigV4Verifier();
  SigV4Verifier(SigV4Verifier&&) noexcept;
  SigV4Verifier& operator=(SigV4Verifier&&) noexcept;

  /// The key that signed `request`, or why it is refused (Lambda's error type and message).
  /// `now` is the server's clock. The pointer lives as long as this verifier.
  [[nodiscard]] Expected<const AccessKey*, SigV4Failure> verify(
      const SignedRequest& request, std::chrono::system_clock::time_point now) const;

 private:
  class Credential;
  std::map<std::string, std::unique_ptr<Credential>, std::less<>> credentials_;
};

}  // namespace nanofaas::http
