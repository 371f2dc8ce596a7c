#pragma once

#include <cstdint>
#include <string_view>

namespace nanofaas::detail {

/// 64-bit FNV-1a of `s`: a stable hash, the same in every process and build (stream shards
/// are chosen by it).
constexpr std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 14695981039346656037ull;  // the offset basis
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;  // the prime
  }
  return h;
}

// The published test vectors.
static_assert(fnv1a("") == 0xcbf29ce484222325ull);
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cull);
static_assert(fnv1a("foobar") == 0x85944171f73967e8ull);

}  // namespace nanofaas::detail
