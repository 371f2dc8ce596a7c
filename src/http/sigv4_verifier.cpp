#include "http/sigv4_verifier.hpp"

#include <openssl/crypto.h>

#include <array>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <utility>

#include "http/hmac_sha256.hpp"
#include "http/sigv4_canonical.hpp"

namespace nanofaas::http {

namespace {

constexpr std::string_view service_name = "lambda";
constexpr std::string_view incomplete_signature = "IncompleteSignatureException";
constexpr std::string_view invalid_signature = "InvalidSignatureException";
constexpr std::string_view signature_mismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// Joins `parts` (GCC 12 warns falsely on chains of std::string operator+).
std::string concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out += part;
  return out;
}

Unexpected<SigV4Failure> fail(std::string_view type, std::string message) {
  return Unexpected(SigV4Failure{std::string(type), std::move(message)});
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The three parameters of an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
// header; a missing one stays empty.
struct Authorization {
  std::string_view credential;
  std::string_view signed_headers;
  std::string_view signature;
};

Expected<Authorization, SigV4Failure> parse_authorization(std::string_view header, bool has_date) {
  Authorization out;
  std::string_view rest = trim(header);
  if (rest.starts_with(sigv4::algorithm) && rest.size() > sigv4::algorithm.size() &&
      (rest[sigv4::algorithm.size()] == ' ' || rest[sigv4::algorithm.size()] == '\t')) {
    rest.remove_prefix(sigv4::algorithm.size());
    while (!rest.empty()) {
      const std::size_t comma = std::min(rest.find(','), rest.size());
      const std::string_view part = trim(rest.substr(0, comma));
      rest.remove_prefix(std::min(comma + 1, rest.size()));
      if (part.empty()) continue;
      const std::size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        return fail(incomplete_signature,
                    concat({"'", part,
                            "' not a valid key=value pair (missing equal-sign) in Authorization "
                            "header: '",
                            header, "'."}));
      }
      const std::string_view key = part.substr(0, eq);
      const std::string_view value = part.substr(eq + 1);
      if (key == "Credential") out.credential = value;
      if (key == "SignedHeaders") out.signed_headers = value;
      if (key == "Signature") out.signature = value;
    }
  }
  // AWS names every missing part at once.
  std::string missing;
  if (out.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (out.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (out.signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (!has_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) {
    missing.pop_back();
    return fail(incomplete_signature, std::move(missing));
  }
  return out;
}

bool lists_header(std::string_view signed_headers, std::string_view name) {
  std::size_t start = 0;
  while (start <= signed_headers.size()) {
    const std::size_t semicolon = std::min(signed_headers.find(';', start), signed_headers.size());
    if (sigv4::same_header_name(signed_headers.substr(start, semicolon - start), name)) return true;
    start = semicolon + 1;
  }
  return false;
}

// The first name in `signed_headers` that the request does not carry.
std::optional<std::string_view> absent_header(const SignedRequest& request,
                                              std::string_view signed_headers) {
  std::size_t start = 0;
  while (start <= signed_headers.size()) {
    const std::size_t semicolon = std::min(signed_headers.find(';', start), signed_headers.size());
    const std::string_view name = signed_headers.substr(start, semicolon - start);
    if (!sigv4::find_header(request.headers, name)) return name;
    start = semicolon + 1;
  }
  return std::nullopt;
}

// The scope of a `Credential=<id>/<date>/<region>/<service>/aws4_request` value.
struct CredentialScope {
  std::string_view access_key_id;
  std::string_view date;
  std::string_view region;
  std::string_view service;
  std::string_view terminator;
  std::string_view scope;  // date/region/service/terminator, as signed
};

Expected<CredentialScope, SigV4Failure> parse_credential(std::string_view credential,
                                                         std::string_view amz_date) {
  std::array<std::string_view, 5> parts;
  std::size_t count = 0;
  std::size_t start = 0;
  while (start <= credential.size()) {
    const std::size_t slash = std::min(credential.find('/', start), credential.size());
    if (count < parts.size()) parts[count] = credential.substr(start, slash - start);
    ++count;
    start = slash + 1;
  }
  if (count != parts.size()) {
    return fail(
        incomplete_signature,
        concat({"Credential should have 5 slash-separated parts (access key id, date, region, "
                "service, 'aws4_request'), not ",
                std::to_string(count), "."}));
  }
  CredentialScope out{parts[0], parts[1], parts[2],
                      parts[3], parts[4], credential.substr(parts[0].size() + 1)};
  std::string problems;
  if (out.region.empty()) {
    problems += concat({"Credential should be scoped to a valid region, not '", out.region, "'. "});
  }
  if (out.service != service_name) {
    problems += concat({"Credential should be scoped to correct service: '", service_name, "'. "});
  }
  if (out.terminator != sigv4::terminator) {
    problems +=
        concat({"Credential should be scoped with a valid terminator: 'aws4_request', not '",
                out.terminator, "'. "});
  }
  if (out.date != amz_date.substr(0, 8)) {
    problems += concat(
        {"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         "HTTP: '",
         out.date, "' != '", amz_date.substr(0, 8), "', from '", amz_date, "'. "});
  }
  if (!problems.empty()) {
    problems.pop_back();
    return fail(incomplete_signature, std::move(problems));
  }
  return out;
}

}  // namespace

// One access key and the signing keys derived from it for the scopes seen lately (a client
// signs with one region, and the day changes once a day).
class SigV4Verifier::Credential {
 public:
  explicit Credential(AccessKey key) : key_(std::move(key)) {}
  ~Credential() { OPENSSL_cleanse(key_.secret.data(), key_.secret.size()); }
  Credential(const Credential&) = delete;
  Credential& operator=(const Credential&) = delete;

  const AccessKey& key() const { return key_; }

  // HMAC-SHA256 of `string_to_sign` under the key derived for `scope` (date/region/service/...).
  Sha256Digest sign(const CredentialScope& scope, std::string_view string_to_sign) const {
    return signer(scope)->mac(string_to_sign);
  }

 private:
  struct Entry {
    std::string scope;
    std::shared_ptr<const HmacSha256> signer;
  };

  std::shared_ptr<const HmacSha256> signer(const CredentialScope& scope) const {
    {
      const std::lock_guard lock(mutex_);
      for (const Entry& entry : cache_) {
        if (entry.signer && entry.scope == scope.scope) return entry.signer;
      }
    }
    // Derived outside the lock: four HMACs, once per scope while it stays cached.
    Sha256Digest derived = sigv4::signing_key(key_.secret, scope.date, scope.region, scope.service);
    auto made = std::make_shared<const HmacSha256>(derived);
    OPENSSL_cleanse(derived.data(), derived.size());
    const std::lock_guard lock(mutex_);
    cache_[next_] = Entry{std::string(scope.scope), made};
    next_ = (next_ + 1) % cache_.size();
    return made;
  }

  AccessKey key_;
  mutable std::mutex mutex_;
  mutable std::array<Entry, 4> cache_;
  mutable std::size_t next_ = 0;
};

SigV4Verifier::SigV4Verifier(std::vector<AccessKey> keys) {
  for (AccessKey& key : keys) {
    std::string id = key.id;
    credentials_.try_emplace(std::move(id), std::make_unique<Credential>(std::move(key)));
  }
}

SigV4Verifier::~SigV4Verifier() = default;
SigV4Verifier::SigV4Verifier(SigV4Verifier&&) noexcept = default;
SigV4Verifier& SigV4Verifier::operator=(SigV4Verifier&&) noexcept = default;

Expected<const AccessKey*, SigV4Failure> SigV4Verifier::verify(
    const SignedRequest& request, std::chrono::system_clock::time_point now) const {
  const auto authorization = sigv4::find_header(request.headers, "authorization");
  if (!authorization) {
    return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const auto amz_date_header = sigv4::find_header(request.headers, "x-amz-date");
  auto parsed = parse_authorization(*authorization, amz_date_header.has_value());
  if (!parsed) return Unexpected(std::move(parsed).error());
  const Authorization& auth = parsed.value();
  const std::string_view amz_date = trim(*amz_date_header);

  if (!lists_header(auth.signed_headers, "host")) {
    return fail(incomplete_signature,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (!lists_header(auth.signed_headers, "x-amz-date")) {
    return fail(incomplete_signature,
                "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (const auto absent = absent_header(request, auth.signed_headers)) {
    return fail(
        incomplete_signature,
        concat({"'", *absent,
                "' is named as a SignedHeader, but it does not exist in the HTTP request."}));
  }
  const auto signed_at = sigv4::parse_amz_date(amz_date);
  if (!signed_at) {
    return fail(incomplete_signature,
                concat({"Date must be in ISO-8601 'basic format'. Got '", amz_date, "'."}));
  }
  auto scope = parse_credential(auth.credential, amz_date);
  if (!scope) return Unexpected(std::move(scope).error());

  const auto found = credentials_.find(scope.value().access_key_id);
  if (found == credentials_.end()) {
    return fail("UnrecognizedClientException",
                "The security token included in the request is invalid.");
  }
  const Credential& credential = *found->second;

  if (*signed_at < now - max_skew) {
    return fail(invalid_signature, concat({"Signature expired: ", amz_date, " is now earlier than ",
                                           sigv4::format_amz_date(now - max_skew), " (",
                                           sigv4::format_amz_date(now), " - 5 min.)"}));
  }
  if (*signed_at > now + max_skew) {
    return fail(invalid_signature,
                concat({"Signature not yet current: ", amz_date, " is still later than ",
                        sigv4::format_amz_date(now + max_skew), " (", sigv4::format_amz_date(now),
                        " + 5 min.)"}));
  }

  // The body's hash: a signed x-amz-content-sha256 may leave the body unsigned, and
  // otherwise must be the hash of the body received.
  std::string payload_hash;
  const auto claimed = lists_header(auth.signed_headers, "x-amz-content-sha256")
                           ? sigv4::find_header(request.headers, "x-amz-content-sha256")
                           : std::nullopt;
  if (claimed && trim(*claimed) == sigv4::unsigned_payload) {
    payload_hash = sigv4::unsigned_payload;
  } else {
    payload_hash = to_hex(sha256(request.body));
    if (claimed && trim(*claimed) != payload_hash) {
      return fail(invalid_signature,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  const std::string canonical =
      sigv4::canonical_request(request, auth.signed_headers, payload_hash);
  const std::string to_sign = sigv4::string_to_sign(amz_date, scope.value().scope, canonical);
  std::string expected;
  expected.reserve(64);
  append_hex(expected, credential.sign(scope.value(), to_sign));
  if (auth.signature.size() != expected.size() ||
      CRYPTO_memcmp(auth.signature.data(), expected.data(), expected.size()) != 0) {
    return fail(invalid_signature, std::string(signature_mismatch));
  }
  return &credential.key();
}

}  // namespace nanofaas::http
