#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/sha256.hpp"
#include "http/signed_request.hpp"
#include "nanofaas/export.hpp"

/// The steps of Signature Version 4 for non-S3 services, shared by the verifier and the
/// signer and tested one by one against published and botocore-produced vectors.
namespace nanofaas::http::sigv4 {

/// The one algorithm supported, as it opens the Authorization header and the string to sign.
inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
/// The scope's last part.
inline constexpr std::string_view terminator = "aws4_request";
/// An `x-amz-content-sha256` value that leaves the body out of the signature.
inline constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

/// Percent-encodes every byte but RFC 3986's unreserved ones (and '/' if `keep_slash`),
/// with uppercase hex digits.
NANOFAAS_API void append_uri_encoded(std::string& out, std::string_view bytes, bool keep_slash);

/// The canonical URI of a received (still percent-encoded) path: empty and "." segments
/// dropped, ".." applied, then encoded once more, so "%3A" becomes "%253A".
NANOFAAS_API std::string canonical_uri(std::string_view path);

/// The canonical query string of a received query (without '?'): each name and value
/// decoded and re-encoded, pairs sorted by name then value, joined with '&'.
NANOFAAS_API std::string canonical_query(std::string_view query);

/// The canonical headers for `signed_headers` (names separated by ';'): "name:value\n" each,
/// values trimmed with inner whitespace runs collapsed, repeats joined with ','.
NANOFAAS_API std::string canonical_headers(const std::vector<HeaderField>& headers,
                                           std::string_view signed_headers);

/// The canonical request of `request` signing `signed_headers`, with the body's hash given
/// as `payload_hash` (64 hex digits or "UNSIGNED-PAYLOAD").
NANOFAAS_API std::string canonical_request(const SignedRequest& request,
                                           std::string_view signed_headers,
                                           std::string_view payload_hash);

/// The string to sign: algorithm, `amz_date`, `scope` (date/region/service/aws4_request) and
/// the hex SHA-256 of `canonical_request`, one per line.
NANOFAAS_API std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                                        std::string_view canonical_request);

/// The signing key derived from `secret` for one day (YYYYMMDD), region and service.
NANOFAAS_API Sha256Digest signing_key(std::string_view secret, std::string_view date,
                                      std::string_view region, std::string_view service);

/// The hex signature of `string_to_sign` under `key`.
NANOFAAS_API std::string signature(const Sha256Digest& key, std::string_view string_to_sign);

/// Whether two header names are equal ignoring ASCII case.
NANOFAAS_API bool same_header_name(std::string_view a, std::string_view b);

/// The value of the first header named `name` (any case), if any.
NANOFAAS_API std::optional<std::string_view> find_header(const std::vector<HeaderField>& headers,
                                                         std::string_view name);

/// `time` as X-Amz-Date writes it: YYYYMMDD'T'HHMMSS'Z', UTC, seconds truncated.
NANOFAAS_API std::string format_amz_date(std::chrono::system_clock::time_point time);

/// An X-Amz-Date value as a time, or nothing if it is not YYYYMMDD'T'HHMMSS'Z' or no such date.
NANOFAAS_API std::optional<std::chrono::system_clock::time_point> parse_amz_date(
    std::string_view text);

}  // namespace nanofaas::http::sigv4
