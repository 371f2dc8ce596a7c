#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "http/signed_request.hpp"
#include "nanofaas/access_key.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas::http {

/// The two headers a Signature Version 4 client adds to a request.
struct SigV4Headers {
  std::string authorization;  ///< "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"
  std::string amz_date;       ///< X-Amz-Date, YYYYMMDD'T'HHMMSS'Z'
};

/// Signs `request` at `now` as botocore does: every header given (but Authorization,
/// X-Amz-Date, Expect, User-Agent and X-Amzn-Trace-Id) plus X-Amz-Date is signed, and the
/// body's hash is an `x-amz-content-sha256` header's value if there is one. For tests and
/// benchmarks acting as a client; `request.headers` should carry Host.
NANOFAAS_API SigV4Headers sigv4_sign(const SignedRequest& request, const AccessKey& key,
                                     std::string_view region,
                                     std::chrono::system_clock::time_point now,
                                     std::string_view service = "lambda");

}  // namespace nanofaas::http
