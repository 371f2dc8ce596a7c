#include "source/deduplication_window.hpp"

#include <openssl/sha.h>

#include <array>

namespace nanofaas::detail {

const std::string* DeduplicationWindow::find(std::string_view key, Clock::time_point now) {
  while (!ends_.empty() && ends_.front().first <= now) {
    ids_.erase(ends_.front().second);
    ends_.pop_front();
  }
  const auto it = ids_.find(key);
  return it == ids_.end() ? nullptr : &it->second;
}

void DeduplicationWindow::add(std::string_view key, std::string_view message_id,
                              Clock::time_point now) {
  ids_.emplace(std::string(key), std::string(message_id));
  ends_.emplace_back(now + interval, std::string(key));
}

std::string content_deduplication_id(std::string_view body) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * digest.size(), '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace nanofaas::detail
