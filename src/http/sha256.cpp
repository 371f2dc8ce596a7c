#include "http/sha256.hpp"

#include <openssl/evp.h>

#include "nanofaas/assert.hpp"

namespace nanofaas::http {

namespace {

// OpenSSL 3 looks an algorithm up by name on every implicit use; fetching it once keeps that
// lookup off each request.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  NANOFAAS_ASSERT(md != nullptr);
  return md;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int size = 0;
  const int ok = EVP_Digest(data.data(), data.size(), digest.data(), &size, sha256_md(), nullptr);
  NANOFAAS_ASSERT(ok == 1 && size == digest.size());
  return digest;
}

void append_hex(std::string& out, const Sha256Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 2 * digest.size());
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[at + 2 * i] = digits[digest[i] >> 4];
    out[at + 2 * i + 1] = digits[digest[i] & 0xf];
  }
}

std::string to_hex(const Sha256Digest& digest) {
  std::string out;
  out.reserve(2 * digest.size());
  append_hex(out, digest);
  return out;
}

}  // namespace nanofaas::http
