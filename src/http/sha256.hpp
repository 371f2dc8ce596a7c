#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"

namespace nanofaas::http {

/// A SHA-256 or HMAC-SHA256 digest.
using Sha256Digest = std::array<unsigned char, 32>;

/// SHA-256 of `data` (OpenSSL, the digest fetched once per process).
NANOFAAS_API Sha256Digest sha256(std::string_view data);

/// Appends `digest` as 64 lowercase hex digits, the form SigV4 signs and sends.
NANOFAAS_API void append_hex(std::string& out, const Sha256Digest& digest);

/// `digest` as 64 lowercase hex digits.
NANOFAAS_API std::string to_hex(const Sha256Digest& digest);

}  // namespace nanofaas::http
