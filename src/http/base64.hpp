#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nanofaas::http {

/// Standard base64 with padding (OpenSSL's encoder).
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 with padding; nullopt when `text` is not that.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace nanofaas::http
