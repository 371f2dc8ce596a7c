#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "nanofaas/export.hpp"

namespace nanofaas {

/// Bytes readable after the end of every `Payload`, so simdjson can parse it in place.
inline constexpr std::size_t payload_padding = 64;

/// An owned, move-only byte buffer with `payload_padding` zeroed bytes after its end.
/// Payloads handed to the engine move in without a copy. Not thread-safe (a value type).
class NANOFAAS_API Payload {
 public:
  /// An empty payload (no allocation).
  Payload() noexcept = default;
  /// A padded copy of `bytes`.
  static Payload copy_of(std::string_view bytes);
  /// `size` writable, uninitialised bytes (plus padding), to fill through `data()`.
  static Payload uninitialized(std::size_t size);

  Payload(Payload&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  Payload& operator=(Payload&& other) noexcept {
    if (this != &other) {
      if (data_ != nullptr) release(data_);
      data_ = other.data_;
      size_ = other.size_;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;
  ~Payload() {
    if (data_ != nullptr) release(data_);
  }

  /// The bytes.
  [[nodiscard]] const char* data() const noexcept { return data_ != nullptr ? data_ : ""; }
  [[nodiscard]] char* data() noexcept { return data_; }
  /// The number of bytes (padding excluded).
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// The bytes as a view.
  [[nodiscard]] std::string_view view() const noexcept { return {data(), size_}; }
  /// A std::string copy of the bytes.
  [[nodiscard]] std::string str() const { return std::string(view()); }

 private:
  static void release(char* data) noexcept;  // frees an allocated buffer

  char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A borrowed view of request bytes, remembering whether `payload_padding` readable bytes
/// follow them (then JSON parses in place; otherwise the JSON helper copies once).
class PayloadView {
 public:
  /// No bytes.
  constexpr PayloadView() noexcept = default;
  /// A view of a padded payload.
  PayloadView(const Payload& payload) noexcept  // NOLINT(google-explicit-constructor)
      : data_(payload.data()), size_(payload.size()), padded_(true) {}
  /// A view of a string; padded when its capacity leaves `payload_padding` spare bytes.
  PayloadView(const std::string& s) noexcept  // NOLINT(google-explicit-constructor)
      : data_(s.data()), size_(s.size()), padded_(s.capacity() - s.size() >= payload_padding) {}
  /// A view of any bytes (not known to be padded).
  constexpr PayloadView(std::string_view s) noexcept  // NOLINT(google-explicit-constructor)
      : data_(s.data()), size_(s.size()) {}
  /// A view of a C string.
  constexpr PayloadView(const char* s) noexcept  // NOLINT(google-explicit-constructor)
      : PayloadView(std::string_view(s)) {}
  /// A view of `size` bytes that the caller states are followed by `payload_padding` readable
  /// bytes when `padded` is true.
  constexpr PayloadView(const char* data, std::size_t size, bool padded) noexcept
      : data_(data), size_(size), padded_(padded) {}

  [[nodiscard]] constexpr const char* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  /// True when `payload_padding` readable bytes follow the view.
  [[nodiscard]] constexpr bool padded() const noexcept { return padded_; }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data_, size_}; }

 private:
  const char* data_ = "";
  std::size_t size_ = 0;
  bool padded_ = false;
};

}  // namespace nanofaas
