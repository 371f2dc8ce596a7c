#include "http/sigv4_signer.hpp"

#include <algorithm>
#include <vector>

#include "http/sha256.hpp"
#include "http/sigv4_canonical.hpp"

namespace nanofaas::http {

namespace {

// Headers botocore leaves unsigned (proxies may change them), and the two it replaces.
constexpr std::string_view unsigned_headers[] = {"authorization", "x-amz-date", "expect",
                                                 "user-agent", "x-amzn-trace-id"};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

SigV4Headers sigv4_sign(const SignedRequest& request, const AccessKey& key, std::string_view region,
                        std::chrono::system_clock::time_point now, std::string_view service) {
  SigV4Headers out;
  out.amz_date = sigv4::format_amz_date(now);

  SignedRequest signing{request.method, request.target, {}, request.body};
  std::vector<std::string> names{"x-amz-date"};
  for (const auto& [name, value] : request.headers) {
    const std::string lower = lowercase(name);
    if (std::ranges::find(unsigned_headers, lower) != std::end(unsigned_headers)) {
      if (lower == "authorization" || lower == "x-amz-date") continue;
    } else {
      names.push_back(lower);
    }
    signing.headers.emplace_back(name, value);
  }
  signing.headers.emplace_back("X-Amz-Date", out.amz_date);
  std::ranges::sort(names);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const std::string& name : names) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }

  const auto claimed = sigv4::find_header(request.headers, "x-amz-content-sha256");
  const std::string payload_hash = claimed ? std::string(*claimed) : to_hex(sha256(request.body));
  const std::string date = out.amz_date.substr(0, 8);
  std::string scope = date;
  for (const std::string_view part : {region, service, sigv4::terminator}) {
    scope.push_back('/');
    scope += part;
  }
  const std::string to_sign = sigv4::string_to_sign(
      out.amz_date, scope, sigv4::canonical_request(signing, signed_headers, payload_hash));
  const std::string signature =
      sigv4::signature(sigv4::signing_key(key.secret, date, region, service), to_sign);

  for (const std::string_view part :
       {sigv4::algorithm, std::string_view(" Credential="), std::string_view(key.id),
        std::string_view("/"), std::string_view(scope), std::string_view(", SignedHeaders="),
        std::string_view(signed_headers), std::string_view(", Signature="),
        std::string_view(signature)}) {
    out.authorization += part;
  }
  return out;
}

}  // namespace nanofaas::http
