#include "http/hmac_sha256.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <utility>

#include "nanofaas/assert.hpp"

namespace nanofaas::http {

namespace {

// Fetched once: OpenSSL 3 would otherwise look HMAC up by name on every use.
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  NANOFAAS_ASSERT(mac != nullptr);
  return mac;
}

}  // namespace

HmacSha256::HmacSha256(std::span<const unsigned char> key)
    : ctx_(EVP_MAC_CTX_new(hmac_algorithm())) {
  NANOFAAS_ASSERT(ctx_ != nullptr);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  const int ok = EVP_MAC_init(ctx_, key.data(), key.size(), params);
  NANOFAAS_ASSERT(ok == 1);
}

HmacSha256::HmacSha256(std::string_view key)
    : HmacSha256(std::span(reinterpret_cast<const unsigned char*>(key.data()), key.size())) {}

HmacSha256::~HmacSha256() {
  EVP_MAC_CTX_free(ctx_);
}

HmacSha256::HmacSha256(HmacSha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

HmacSha256& HmacSha256::operator=(HmacSha256&& other) noexcept {
  if (this != &other) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Sha256Digest HmacSha256::mac(std::string_view message) const {
  NANOFAAS_ASSERT(ctx_ != nullptr);
  // The copy keeps the keyed context untouched, so concurrent callers share it read-only.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(ctx_);
  NANOFAAS_ASSERT(ctx != nullptr);
  Sha256Digest digest{};
  std::size_t size = 0;
  const bool ok = EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1 &&
                  EVP_MAC_final(ctx, digest.data(), &size, digest.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  NANOFAAS_ASSERT(ok && size == digest.size());
  return digest;
}

}  // namespace nanofaas::http
