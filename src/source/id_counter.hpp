#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nanofaas::detail {

/// Record ids as text: a fixed prefix and a number from 1 counted up in decimal, cheaper than
/// formatting each one. The prefix and the digits must fit in `Capacity` bytes.
template <std::size_t Capacity>
class IdCounter {
 public:
  explicit IdCounter(std::string_view prefix = {}) noexcept
      : size_(static_cast<std::uint8_t>(prefix.size() + 1)),
        digits_at_(static_cast<std::uint8_t>(prefix.size())) {
    std::copy(prefix.begin(), prefix.end(), text_);
    text_[digits_at_] = '1';
  }

  /// Copies the current id, all `Capacity` bytes (a fixed-size copy), to `out`; returns its
  /// length.
  std::uint8_t copy_to(char (&out)[Capacity]) const noexcept {
    std::memcpy(out, text_, Capacity);
    return size_;
  }

  /// Moves on to the next number.
  void advance() noexcept {
    for (std::size_t k = size_; k-- > digits_at_;) {
      if (text_[k] != '9') {
        ++text_[k];
        return;
      }
      text_[k] = '0';
    }
    text_[digits_at_] = '1';  // 99 -> 100
    text_[size_++] = '0';
  }

 private:
  char text_[Capacity]{};
  std::uint8_t size_;
  std::uint8_t digits_at_;
};

}  // namespace nanofaas::detail
