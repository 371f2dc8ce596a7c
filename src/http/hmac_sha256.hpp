#pragma once

#include <span>
#include <string_view>

#include "http/sha256.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace nanofaas::http {

/// HMAC-SHA256 under one key, set up once: each `mac` copies the keyed state instead of
/// hashing the key again. `mac` may be called from several threads at once.
class HmacSha256 {
 public:
  /// Keys the HMAC with `key` (any length).
  explicit HmacSha256(std::span<const unsigned char> key);
  /// Keys the HMAC with the bytes of `key`.
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&& other) noexcept;
  HmacSha256& operator=(HmacSha256&& other) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  /// HMAC-SHA256(key, message).
  [[nodiscard]] Sha256Digest mac(std::string_view message) const;

 private:
  evp_mac_ctx_st* ctx_;
};

}  // namespace nanofaas::http
