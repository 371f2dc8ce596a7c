#include "nanofaas/payload.hpp"

#if defined(NANOFAAS_WITH_MIMALLOC)
#include <mimalloc.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "nanofaas/clock.hpp"
#include "nanofaas/request_id.hpp"

namespace nanofaas {
namespace {
#if defined(NANOFAAS_WITH_MIMALLOC)
void* allocate(std::size_t n) noexcept {
  return mi_malloc(n);
}
void release_bytes(void* p) noexcept {
  mi_free(p);
}
#else
void* allocate(std::size_t n) noexcept {
  return std::malloc(n);
}
void release_bytes(void* p) noexcept {
  std::free(p);
}
#endif
}  // namespace

Payload Payload::uninitialized(std::size_t size) {
  Payload p;
  if (size == 0) return p;
  p.data_ = static_cast<char*>(allocate(size + payload_padding));
  if (p.data_ == nullptr) throw std::bad_alloc();
  std::memset(p.data_ + size, 0, payload_padding);
  p.size_ = size;
  return p;
}

Payload Payload::copy_of(std::string_view bytes) {
  Payload p = uninitialized(bytes.size());
  if (!bytes.empty()) std::memcpy(p.data_, bytes.data(), bytes.size());
  return p;
}

void Payload::release(char* data) noexcept {
  release_bytes(data);
}

std::string RequestId::to_string() const {
  // "%08x-%04x-4%03x-%04x-%012llx" of the fields below, without printf's parsing (the log
  // writes one or two per line).
  static constexpr char hex[] = "0123456789abcdef";
  std::string text(36, '-');
  auto put = [&text](std::size_t at, std::uint64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value >>= 4) text[at + i] = hex[value & 0xf];
  };
  put(0, high >> 32, 8);
  put(9, (high >> 16) & 0xffff, 4);
  text[14] = '4';
  put(15, high & 0x0fff, 3);
  put(19, 0x8000 | ((low >> 48) & 0x3fff), 4);
  put(24, low & 0xffffffffffffull, 12);
  return text;
}

namespace {
class SteadyClock final : public Clock {
 public:
  time_point now() const noexcept override { return std::chrono::steady_clock::now(); }
};
}  // namespace

const Clock& Clock::steady() noexcept {
  static const SteadyClock clock;
  return clock;
}

}  // namespace nanofaas
